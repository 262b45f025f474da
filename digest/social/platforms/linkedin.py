"""LinkedIn: the Posts API (POST /rest/posts) with version headers; the id comes in x-restli-id.

An article's picture goes through the Images API: ``initializeUpload`` names the page as its owner
and answers with an upload address and an image URN; the bytes are PUT there; the post then shows
``content.media`` (that URN and its ``altText``) in place of the article card. Neither step posts
anything, so a retry simply uploads again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from digest.config.base import setting, url
from digest.config.social import platform_key
from digest.errors import ProviderError
from digest.social.images import CleanImage, ImageLimits, ImageRefused
from digest.social.measure import escape_little_text, utf16_len
from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


@dataclass(frozen=True, kw_only=True)
class LinkedInSettings:
    base_url: str = setting(
        "DIGEST_LINKEDIN_BASE_URL",
        "https://api.linkedin.com",
        "Address of the LinkedIn API.",
        parse=url,
        section="Social",
    )
    token: str = platform_key(
        "DIGEST_LINKEDIN_TOKEN", "LinkedIn access token (w_organization_social); it expires after 60 days."
    )
    author: str = platform_key(
        "DIGEST_LINKEDIN_AUTHOR",
        "The page or person that posts on LinkedIn.",
        secret=False,
        example="urn:li:organization:12345",
    )
    version: str = setting(
        "DIGEST_LINKEDIN_VERSION",
        "202510",
        "LinkedIn API version (YYYYMM); raise it when LinkedIn retires the one in use.",
        section="Social",
    )


class LinkedIn(Publisher):
    """Counts UTF-16 code units of the *escaped* commentary ("little text")."""

    name = "linkedin"
    auth_keys = ("DIGEST_LINKEDIN_TOKEN",)
    limit, unit, max_hashtags = 3000, "characters", 3
    settings_class = LinkedInSettings
    required = ("token", "author")
    # Images API: JPEG, PNG or GIF under 36,152,320 pixels; 5 MB kept to; altText up to 4,086.
    image_limits = ImageLimits(max_bytes=5_000_000, max_side=4096, alt_max=4086)

    @classmethod
    def count(cls, text: str) -> int:
        return utf16_len(escape_little_text(text))

    @classmethod
    def from_settings(cls, settings: Any, store: Any) -> LinkedIn:
        o = settings.options(LinkedInSettings)
        return cls(o.base_url, o.token, o.author, o.version, settings.social_timeout)

    def __init__(self, base_url: str, token: str, author: str, version: str, timeout: float) -> None:
        super().__init__(base_url, timeout)
        self.author = author
        self.http.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "LinkedIn-Version": version,
                "X-Restli-Protocol-Version": "2.0.0",
            }
        )

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        if part.position:
            raise ProviderError(self.name, "LinkedIn posts cannot be threads; keep the post in one part")
        payload = part.payload
        body = {
            "author": self.author,
            # Unescaped reserved characters make LinkedIn cut the post silently.
            "commentary": escape_little_text(part.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "content": self.attach(part, self._upload) or {
                "article": {
                    "source": payload["url"],
                    "title": payload["title"],
                    "description": payload["description"],
                }
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        response = self.call("POST", "/rest/posts", creates=True, json=body)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise ProviderError(self.name, "accepted the post but sent no id", outcome_unknown=True)
        return Ref(urn, f"https://www.linkedin.com/feed/update/{urn}/")

    def _upload(self, image: CleanImage, alt: str) -> dict[str, Any]:
        """The picture uploaded through the Images API; the post's ``content`` that shows it."""
        body = {"initializeUploadRequest": {"owner": self.author}}
        ready = self.call("POST", "/rest/images", params={"action": "initializeUpload"}, json=body).json()
        address, urn = ready["value"]["uploadUrl"], ready["value"]["image"]
        if not address.startswith(("https://", self.base_url + "/")):
            raise ImageRefused("LinkedIn gave an upload address that is not https")  # the token goes there
        self.call("PUT", address, data=image.data, headers={"Content-Type": image.mime})
        return {"media": {"id": urn, "altText": alt}}

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        query = f"/rest/posts?q=author&author={quote(self.author, safe='')}&count=20"
        for post in self.call("GET", query).json().get("elements", []):
            source = post.get("content", {}).get("article", {}).get("source", "")
            if source == part.payload["url"] or part.payload["url"] in post.get("commentary", ""):
                return Ref(str(post["id"]))
        return None
