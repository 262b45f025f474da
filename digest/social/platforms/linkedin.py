"""LinkedIn: the Posts API (POST /rest/posts) with version headers; the id comes in x-restli-id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from digest.config.base import setting, url
from digest.config.social import platform_key
from digest.errors import ProviderError
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
            "content": {
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

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        query = f"/rest/posts?q=author&author={quote(self.author, safe='')}&count=20"
        for post in self.call("GET", query).json().get("elements", []):
            source = post.get("content", {}).get("article", {}).get("source", "")
            if source == part.payload["url"] or part.payload["url"] in post.get("commentary", ""):
                return Ref(str(post["id"]))
        return None
