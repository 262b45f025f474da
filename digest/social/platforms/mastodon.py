"""Mastodon: POST /api/v1/statuses with an Idempotency-Key (the server keeps it for an hour)."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from digest.config.base import parse_positive_int, setting, url
from digest.config.social import platform_key
from digest.social.images import CleanImage, ImageLimits, ImageRefused
from digest.social.measure import link_weighted_graphemes
from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


@dataclass(frozen=True, kw_only=True)
class MastodonSettings:
    base_url: str = setting(
        "DIGEST_MASTODON_BASE_URL",
        "",
        "Address of your Mastodon server.",
        parse=url,
        example="https://mastodon.social",
        section="Social",
    )
    token: str = platform_key(
        "DIGEST_MASTODON_TOKEN",
        "Mastodon access token with write:statuses and write:media "
        "(Preferences > Development > New application).",
    )
    max_characters: int = setting(
        "DIGEST_MASTODON_MAX_CHARACTERS",
        500,
        "Your Mastodon server's post limit (500 on most servers).",
        parse=parse_positive_int,
        section="Social",
    )


class Mastodon(Publisher):
    """Counts grapheme clusters; every http(s) link counts 23, ``@user@domain`` as ``@user``."""

    name = "mastodon"
    auth_keys = ("DIGEST_MASTODON_TOKEN",)
    limit, unit, max_hashtags, url_weight = 500, "characters", 4, 23
    settings_class = MastodonSettings
    required = ("base_url", "token")
    # Mastodon 4.x: 16 MB and 8.3 megapixels (it resizes bigger ones itself); description 1,500.
    image_limits = ImageLimits(max_bytes=16_000_000, max_side=4096, max_pixels=8_294_400, alt_max=1500)
    media_polls = 5  # GET /api/v1/media/:id while the server still processes an upload (202)

    @classmethod
    def count(cls, text: str) -> int:
        return link_weighted_graphemes(text, cls.url_weight or 0)

    @classmethod
    def limit_for(cls, settings: Any) -> int:
        return int(settings.options(MastodonSettings).max_characters)

    @classmethod
    def from_settings(cls, settings: Any, store: Any) -> Mastodon:
        o = settings.options(MastodonSettings)
        return cls(o.base_url, o.token, settings.social_timeout)

    def __init__(self, base_url: str, token: str, timeout: float, visibility: str = "public") -> None:
        super().__init__(base_url, timeout)
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.visibility = visibility

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        form = {
            "status": part.text,
            # Plain text on every server: Pleroma, Akkoma, GoToSocial and glitch-soc would
            # otherwise read markdown or HTML in an article title (Mastodon ignores the field).
            "content_type": "text/plain",
            "visibility": self.visibility,
            "language": part.payload.get("language", ""),
        }
        if part.reply_to:
            form["in_reply_to_id"] = part.reply_to.id
        media = self._media(part)
        if media:
            form["media_ids[]"] = media
        # Same key on every attempt: a retry within the hour returns the first status.
        response = self.call(
            "POST", "/api/v1/statuses", creates=True, data=form, headers={"Idempotency-Key": part.idem_key}
        )
        body = response.json()
        return Ref(str(body["id"]), str(body.get("url") or ""))

    def _media(self, part: PartRequest) -> str:
        """The article's image uploaded with its description; its id, or "" (the post goes without)."""
        return self.attach(part, self._upload) or ""

    def _upload(self, image: CleanImage, alt: str) -> str:
        """POST /api/v2/media with its description; the id once the server has processed it."""
        files = {"file": (image.filename, image.data, image.mime)}
        response = self.call("POST", "/api/v2/media", files=files, data={"description": alt})
        media = response.json()
        for _ in range(self.media_polls):  # 202: still processing; a status cannot take it yet
            if response.status_code != 202 and media.get("url"):
                return str(media["id"])
            time.sleep(1)
            response = self.call("GET", f"/api/v1/media/{media['id']}")
            media = response.json()
        raise ImageRefused("the server was still processing it")

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        me = self.call("GET", "/api/v1/accounts/verify_credentials").json()
        statuses = self.call("GET", f"/api/v1/accounts/{me['id']}/statuses", params={"limit": 40}).json()
        for status in statuses:
            if part.reply_to and status.get("in_reply_to_id") != part.reply_to.id:
                continue
            if part.payload["url"] in html.unescape(status.get("content", "")) or part.reply_to:
                return Ref(str(status["id"]), str(status.get("url") or ""))
        return None
