"""X: API v2 POST /2/tweets, signed with OAuth 1.0a user context (the tokens do not expire).

An article's image goes first to POST /2/media/upload (one request, ``tweet_image``), its alt text
to POST /2/media/metadata, and the post names it in ``media.media_ids``. Neither call posts
anything: a retry uploads again, and an unknown post is looked for (:meth:`X.find`) before any."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from digest.config.base import setting, url
from digest.config.social import platform_key
from digest.social.images import CleanImage, ImageLimits, ImageRefused
from digest.social.measure import rejected_chars, weighted_length
from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


@dataclass(frozen=True, kw_only=True)
class XSettings:
    base_url: str = setting(
        "DIGEST_X_BASE_URL", "https://api.x.com", "Address of the X API.", parse=url, section="Social"
    )
    api_key: str = platform_key("DIGEST_X_API_KEY", "X app's API key (consumer key), OAuth 1.0a.")
    api_secret: str = platform_key("DIGEST_X_API_SECRET", "X app's API key secret (consumer secret).")
    access_token: str = platform_key("DIGEST_X_ACCESS_TOKEN", "X access token of the account that posts.")
    access_secret: str = platform_key("DIGEST_X_ACCESS_SECRET", "X access token secret.")


class X(Publisher):
    """Counts twitter-text v3 weighted length: NFC text, every link (bare domains too) 23, one
    emoji 2, code points in the narrow ranges 1 and everything else (CJK, Hangul) 2."""

    name = "x"
    auth_keys = ("DIGEST_X_ACCESS_TOKEN", "DIGEST_X_ACCESS_SECRET")
    limit, unit, max_hashtags, url_weight = 280, "weighted characters", 2, 23
    settings_class = XSettings
    required = ("api_key", "api_secret", "access_token", "access_secret")
    # X media: an image up to 5 MB (JPEG, PNG, GIF or WebP); alt text up to 1,000 characters.
    image_limits = ImageLimits(max_bytes=5_000_000, max_side=4096, alt_max=1000)

    @classmethod
    def count(cls, text: str) -> int:
        return weighted_length(text, cls.url_weight or 0)

    @classmethod
    def rejected(cls, text: str) -> str:
        return rejected_chars(text)

    @classmethod
    def from_settings(cls, settings: Any, store: Any) -> X:
        o = settings.options(XSettings)
        return cls(o.base_url, o.api_key, o.api_secret, o.access_token, o.access_secret,
                   settings.social_timeout)

    def __init__(
        self, base_url: str, api_key: str, api_secret: str, token: str, token_secret: str, timeout: float
    ) -> None:
        from requests_oauthlib import OAuth1

        super().__init__(base_url, timeout)
        self.http.auth = OAuth1(api_key, api_secret, token, token_secret, signature_type="AUTH_HEADER")

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        body: dict[str, Any] = {"text": part.text}
        if part.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": part.reply_to.id}
        media = self.attach(part, self._upload)
        if media:
            body["media"] = {"media_ids": [media]}
        data = self.call("POST", "/2/tweets", creates=True, json=body).json()["data"]
        return Ref(str(data["id"]), f"https://x.com/i/web/status/{data['id']}")

    def _upload(self, image: CleanImage, alt: str) -> str:
        """The image uploaded and its alt text set; its media id."""
        files = {"media": (image.filename, image.data, image.mime)}
        form = {"media_category": "tweet_image", "media_type": image.mime}
        data = self.call("POST", "/2/media/upload", files=files, data=form).json()["data"]
        state = (data.get("processing_info") or {}).get("state", "succeeded")
        if state != "succeeded":  # an image is ready at once; anything else cannot be posted yet
            raise ImageRefused(f"X had not processed it ({state})")
        media_id = str(data["id"])
        if alt:
            metadata = {"alt_text": {"text": alt}}
            self.call("POST", "/2/media/metadata", json={"id": media_id, "metadata": metadata})
        return media_id

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        me = self.call("GET", "/2/users/me").json()["data"]["id"]
        fields = {"max_results": 20, "tweet.fields": "entities,referenced_tweets"}
        tweets = self.call("GET", f"/2/users/{me}/tweets", params=fields).json().get("data", [])
        for tweet in tweets:
            replied = [r["id"] for r in tweet.get("referenced_tweets", []) if r.get("type") == "replied_to"]
            if part.reply_to:
                if part.reply_to.id in replied:
                    return Ref(str(tweet["id"]))
                continue
            urls = [u.get("expanded_url") for u in tweet.get("entities", {}).get("urls", [])]
            if part.payload["url"] in urls:
                return Ref(str(tweet["id"]))
        return None
