"""Threads: make a TEXT container, then publish it. Publishing is two-phase by design,
so an unknown outcome is settled by reading the container's status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from digest.config.base import setting, url
from digest.config.social import platform_key
from digest.social.measure import utf8_len
from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


@dataclass(frozen=True, kw_only=True)
class ThreadsSettings:
    base_url: str = setting(
        "DIGEST_THREADS_BASE_URL",
        "https://graph.threads.net/v1.0",
        "Threads API address, with its version.",
        parse=url,
        section="Social",
    )
    user_id: str = setting(
        "DIGEST_THREADS_USER_ID", "me", "Threads user id of the account that posts.", section="Social"
    )
    token: str = platform_key(
        "DIGEST_THREADS_TOKEN", "Threads long-lived access token (threads_content_publish); lasts 60 days."
    )


class Threads(Publisher):
    """Counts UTF-8 bytes (Meta rejects at 500 bytes, whatever the docs say)."""

    name = "threads"
    auth_keys = ("DIGEST_THREADS_TOKEN",)
    limit, unit, max_hashtags = 500, "bytes", 1
    settings_class = ThreadsSettings
    required = ("token",)

    @classmethod
    def count(cls, text: str) -> int:
        return utf8_len(text)

    @classmethod
    def from_settings(cls, settings: Any, store: Any) -> Threads:
        o = settings.options(ThreadsSettings)
        return cls(o.base_url, o.user_id, o.token, settings.social_timeout)

    def __init__(self, base_url: str, user_id: str, token: str, timeout: float) -> None:
        super().__init__(base_url, timeout)
        self.user_id = user_id
        self.token = token

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        container = saved.container_id
        if not container:
            params = {"media_type": "TEXT", "text": part.text, "access_token": self.token}
            if part.reply_to:
                params["reply_to_id"] = part.reply_to.id
            # Making a container posts nothing, so a failure here is safe to retry.
            container = str(self.call("POST", f"/{self.user_id}/threads", params=params).json()["id"])
            note(container)
        params = {"creation_id": container, "access_token": self.token}
        body = self.call("POST", f"/{self.user_id}/threads_publish", creates=True, params=params).json()
        return Ref(str(body["id"]))

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        if not saved.container_id:
            return None  # no container, so nothing can have been published
        params = {"fields": "id,status,error_message", "access_token": self.token}
        status = self.call("GET", f"/{saved.container_id}", params=params).json().get("status", "")
        if status != "PUBLISHED":
            return None
        params = {"fields": "id,text,permalink", "limit": "25", "access_token": self.token}
        for post in self.call("GET", f"/{self.user_id}/threads", params=params).json().get("data", []):
            if post.get("text") == part.text:
                return Ref(str(post["id"]), str(post.get("permalink") or ""))
        return Ref(saved.container_id)  # published, id unknown: never publish it again
