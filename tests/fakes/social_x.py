"""Fake X API v2: POST /2/tweets with an OAuth 1.0a signature verified by oauthlib; images by
POST /2/media/upload (multipart ``media`` and ``media_category``, at most 5 MB of JPEG, PNG, GIF or
WebP), alt text by POST /2/media/metadata (JSON, at most 1,000 characters), attached with
``media.media_ids``."""

from __future__ import annotations

from typing import Any

from oauthlib.oauth1 import Client

from tests.fakes.social_http import FakePlatform, Request, multipart, need, need_image

IMAGE_MAX = 5 * 1024 * 1024
KINDS = ("image/jpeg", "image/png", "image/gif", "image/webp")


class FakeX(FakePlatform):
    def __init__(self, keys: tuple[str, str, str, str] = ("ck", "cs", "at", "as")) -> None:
        super().__init__()
        self.keys = keys
        self.tweets: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}  # id -> data, mime, alt, tweet

    def _signed(self, req: Request) -> bool:
        """Recompute the HMAC-SHA1 signature with the same nonce and timestamp."""
        header = req.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return False
        params = dict(
            part.strip().split("=", 1) for part in header.removeprefix("OAuth ").split(",") if "=" in part
        )
        params = {k: v.strip('"') for k, v in params.items()}
        ck, cs, at, secret = self.keys
        if params.get("oauth_consumer_key") != ck or params.get("oauth_token") != at:
            return False
        from urllib.parse import unquote, urlencode

        client = Client(
            ck,
            cs,
            at,
            secret,
            nonce=unquote(params["oauth_nonce"]),
            timestamp=unquote(params["oauth_timestamp"]),
        )
        query = ("?" + urlencode(req.query)) if req.query else ""
        # JSON and multipart bodies are not part of the OAuth 1.0a signature base string.
        _uri, headers, _body = client.sign(f"http://{req.headers['host']}{req.path}{query}", req.method)
        return headers["Authorization"] == header

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if not self._signed(req):
            return 401, {"title": "Unauthorized", "detail": "Unauthorized"}, {}
        if req.method == "POST" and req.path == "/2/media/upload":
            return self._upload(req)
        if req.method == "POST" and req.path == "/2/media/metadata":
            return self._metadata(req)
        if req.method == "POST" and req.path == "/2/tweets":
            need(req.headers.get("content-type") == "application/json", "JSON body expected")
            body = req.json()
            need(isinstance(body.get("text"), str) and body["text"], "text missing")
            tweet = {"id": str(1000 + len(self.tweets)), "text": body["text"]}
            if "reply" in body:
                tweet["referenced_tweets"] = [
                    {"type": "replied_to", "id": body["reply"]["in_reply_to_tweet_id"]}
                ]
            if "media" in body:
                tweet["attachments"] = {"media_keys": self._attach(body["media"], tweet["id"])}
            urls = [w for w in body["text"].split() if w.startswith("http")]
            tweet["entities"] = {"urls": [{"expanded_url": u} for u in urls]}
            self.tweets.append(tweet)
            return 201, {"data": {"id": tweet["id"], "text": tweet["text"]}}, {}
        if req.path == "/2/users/me":
            return 200, {"data": {"id": "42", "username": "org"}}, {}
        if req.path == "/2/users/42/tweets":
            return 200, {"data": list(reversed(self.tweets))}, {}
        return 404, {"title": "Not Found"}, {}

    def _upload(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        fields = multipart(req)
        need("media" in fields, "multipart field 'media' missing")
        category = fields.get("media_category", ("", "", b""))[2].decode()
        need(category == "tweet_image", f"media_category {category!r} (a post's image is tweet_image)")
        _name, mime, data = fields["media"]
        declared = fields["media_type"][2].decode() if "media_type" in fields else mime
        need(declared == mime, f"media_type {declared!r} but the part is {mime!r}")
        need_image(data, mime, IMAGE_MAX, KINDS)
        media_id = str(1_146_654_567_674_912_769 + len(self.media))
        self.media[media_id] = {"data": data, "mime": mime, "alt": None, "tweet": None}
        answer = {"id": media_id, "media_key": f"3_{media_id}", "size": len(data),
                  "expires_after_secs": 86400}
        return 200, {"data": answer}, {}

    def _metadata(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        need(req.headers.get("content-type", "").startswith("application/json"), "JSON body expected")
        body = req.json()
        need(body.get("id") in self.media, f"media {body.get('id')!r} was never uploaded")
        text = body.get("metadata", {}).get("alt_text", {}).get("text")
        need(isinstance(text, str) and 0 < len(text) <= 1000, "alt_text.text of 1 to 1,000 characters")
        self.media[body["id"]]["alt"] = text
        return 200, {"data": {"id": body["id"], "associated_metadata": body["metadata"]}}, {}

    def _attach(self, media: dict[str, Any], tweet_id: str) -> list[str]:
        ids = media.get("media_ids")
        need(isinstance(ids, list) and 1 <= len(ids) <= 4, "media.media_ids: 1 to 4 ids")
        for media_id in ids:
            need(isinstance(media_id, str), "media ids are strings")
            need(media_id in self.media, f"media {media_id!r} was never uploaded")
            need(self.media[media_id]["tweet"] is None, f"media {media_id!r} is already in a post")
            self.media[media_id]["tweet"] = tweet_id
        return [f"3_{media_id}" for media_id in ids]
