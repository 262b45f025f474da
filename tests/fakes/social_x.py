"""Fake X API v2: POST /2/tweets with an OAuth 1.0a signature verified by oauthlib."""

from __future__ import annotations

from typing import Any

from oauthlib.oauth1 import Client

from tests.fakes.social_http import FakePlatform, Request, need


class FakeX(FakePlatform):
    def __init__(self, keys: tuple[str, str, str, str] = ("ck", "cs", "at", "as")) -> None:
        super().__init__()
        self.keys = keys
        self.tweets: list[dict[str, Any]] = []

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
        # JSON bodies are not part of the OAuth 1.0a signature base string.
        _uri, headers, _body = client.sign(f"http://{req.headers['host']}{req.path}{query}", req.method)
        return headers["Authorization"] == header

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if not self._signed(req):
            return 401, {"title": "Unauthorized", "detail": "Unauthorized"}, {}
        if req.method == "POST" and req.path == "/2/tweets":
            need(req.headers.get("content-type") == "application/json", "JSON body expected")
            body = req.json()
            need(isinstance(body.get("text"), str) and body["text"], "text missing")
            tweet = {"id": str(1000 + len(self.tweets)), "text": body["text"]}
            if "reply" in body:
                tweet["referenced_tweets"] = [
                    {"type": "replied_to", "id": body["reply"]["in_reply_to_tweet_id"]}
                ]
            urls = [w for w in body["text"].split() if w.startswith("http")]
            tweet["entities"] = {"urls": [{"expanded_url": u} for u in urls]}
            self.tweets.append(tweet)
            return 201, {"data": {"id": tweet["id"], "text": tweet["text"]}}, {}
        if req.path == "/2/users/me":
            return 200, {"data": {"id": "42", "username": "org"}}, {}
        if req.path == "/2/users/42/tweets":
            return 200, {"data": list(reversed(self.tweets))}, {}
        return 404, {"title": "Not Found"}, {}
