"""Facebook Page: POST /{page-id}/feed with message and link (the link makes the card).

An article's picture is uploaded first as an unpublished Page photo (POST /{page-id}/photos with
``published=false`` and its ``alt_text_custom``), which shows nowhere; the feed post then attaches
it (``attached_media``) in place of the link card, the link staying in the message. Only the feed
post is published, so a retry uploads again and an unknown post is looked for before any."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from digest.config.base import setting, url
from digest.config.social import platform_key
from digest.errors import ProviderError
from digest.social.images import CleanImage, ImageLimits
from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


@dataclass(frozen=True, kw_only=True)
class FacebookSettings:
    base_url: str = setting(
        "DIGEST_FACEBOOK_BASE_URL",
        "https://graph.facebook.com/v23.0",
        "Facebook Graph API address, with its version.",
        parse=url,
        section="Social",
    )
    page_id: str = platform_key(
        "DIGEST_FACEBOOK_PAGE_ID", "Id of the Facebook Page that posts.", secret=False
    )
    page_token: str = platform_key(
        "DIGEST_FACEBOOK_PAGE_TOKEN", "Facebook Page access token (pages_manage_posts)."
    )


class Facebook(Publisher):
    """Counts UTF-16 code units."""

    name = "facebook"
    auth_keys = ("DIGEST_FACEBOOK_PAGE_TOKEN",)
    limit, unit, max_hashtags = 5000, "characters", 3
    settings_class = FacebookSettings
    required = ("page_id", "page_token")
    # Page photos: JPEG, PNG, GIF, BMP or TIFF of at most 4 MB (PNG is kept for transparency).
    image_limits = ImageLimits(max_bytes=4_000_000, max_side=4096, alt_max=1000)

    @classmethod
    def from_settings(cls, settings: Any, store: Any) -> Facebook:
        o = settings.options(FacebookSettings)
        return cls(o.base_url, o.page_id, o.page_token, settings.social_timeout)

    def __init__(self, base_url: str, page_id: str, token: str, timeout: float) -> None:
        super().__init__(base_url, timeout)
        self.page_id = page_id
        self.token = token

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        if part.position:
            raise ProviderError(self.name, "Facebook posts cannot be threads; keep the post in one part")
        form = {"message": part.text, "access_token": self.token}
        photo = self.attach(part, self._upload)
        if photo:
            form["attached_media[0]"] = json.dumps({"media_fbid": photo})
        else:
            form["link"] = part.payload["url"]
        body = self.call("POST", f"/{self.page_id}/feed", creates=True, data=form).json()
        return Ref(str(body["id"]), f"https://www.facebook.com/{body['id']}")

    def _upload(self, image: CleanImage, alt: str) -> str:
        """The picture as an unpublished photo of the Page, with its alt text; the photo's id."""
        form = {"published": "false", "alt_text_custom": alt, "access_token": self.token}
        files = {"source": (image.filename, image.data, image.mime)}
        return str(self.call("POST", f"/{self.page_id}/photos", data=form, files=files).json()["id"])

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        params = {"fields": "id,message", "limit": 25, "access_token": self.token}
        for post in self.call("GET", f"/{self.page_id}/posts", params=params).json().get("data", []):
            if part.payload["url"] in post.get("message", ""):
                return Ref(str(post["id"]))
        return None
