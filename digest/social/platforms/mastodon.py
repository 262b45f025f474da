"""Mastodon: POST /api/v1/statuses with an Idempotency-Key (the server keeps it for an hour)."""

from __future__ import annotations

import html
from collections.abc import Callable

from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


class Mastodon(Publisher):
    name = "mastodon"
    auth_keys = ("DIGEST_MASTODON_TOKEN",)

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
        # Same key on every attempt: a retry within the hour returns the first status.
        response = self.call(
            "POST", "/api/v1/statuses", creates=True, data=form, headers={"Idempotency-Key": part.idem_key}
        )
        body = response.json()
        return Ref(str(body["id"]), str(body.get("url") or ""))

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        me = self.call("GET", "/api/v1/accounts/verify_credentials").json()
        statuses = self.call("GET", f"/api/v1/accounts/{me['id']}/statuses", params={"limit": 40}).json()
        for status in statuses:
            if part.reply_to and status.get("in_reply_to_id") != part.reply_to.id:
                continue
            if part.payload["url"] in html.unescape(status.get("content", "")) or part.reply_to:
                return Ref(str(status["id"]), str(status.get("url") or ""))
        return None
