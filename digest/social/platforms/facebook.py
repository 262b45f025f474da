"""Facebook Page: POST /{page-id}/feed with message and link (the link makes the card)."""

from __future__ import annotations

from collections.abc import Callable

from digest.errors import ProviderError
from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


class Facebook(Publisher):
    name = "facebook"
    auth_keys = ("DIGEST_FACEBOOK_PAGE_TOKEN",)

    def __init__(self, base_url: str, page_id: str, token: str, timeout: float) -> None:
        super().__init__(base_url, timeout)
        self.page_id = page_id
        self.token = token

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        if part.position:
            raise ProviderError(self.name, "Facebook posts cannot be threads; keep the post in one part")
        form = {"message": part.text, "link": part.payload["url"], "access_token": self.token}
        body = self.call("POST", f"/{self.page_id}/feed", creates=True, data=form).json()
        return Ref(str(body["id"]), f"https://www.facebook.com/{body['id']}")

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        params = {"fields": "id,message", "limit": 25, "access_token": self.token}
        for post in self.call("GET", f"/{self.page_id}/posts", params=params).json().get("data", []):
            if part.payload["url"] in post.get("message", ""):
                return Ref(str(post["id"]))
        return None
