"""Fake Mastodon: POST /api/v1/statuses (form, Bearer token, Idempotency-Key), account statuses."""

from __future__ import annotations

import html
from typing import Any

from tests.fakes.social_http import FakePlatform, Request, need


class FakeMastodon(FakePlatform):
    def __init__(self, token: str = "mtoken") -> None:
        super().__init__()
        self.token = token
        self.statuses: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "The access token is invalid"}, {}
        if req.method == "POST" and req.path == "/api/v1/statuses":
            key = req.headers.get("idempotency-key", "")
            need(bool(key), "Idempotency-Key header missing")
            need(
                req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"),
                "not a form",
            )
            if key in self.by_key:  # the documented hour-long idempotency
                return 200, self.by_key[key], {}
            form = req.form()
            need(bool(form.get("status")), "status missing")
            need(form.get("visibility") == "public", "visibility not public")
            # Pleroma, Akkoma, GoToSocial and glitch-soc read content_type (Mastodon ignores it).
            kind = form.get("content_type")
            need(kind in (None, "text/plain", "text/markdown", "text/html"), f"content_type {kind!r}")
            n = len(self.statuses) + 1
            status = {
                "id": str(100 + n),
                "url": f"https://m.example/@org/{100 + n}",
                "content": "<p>" + html.escape(form["status"]) + "</p>",
                "in_reply_to_id": form.get("in_reply_to_id"),
                "content_type": kind,
                "text": form["status"],
            }
            self.statuses.append(status)
            self.by_key[key] = status
            return 200, status, {}
        if req.path == "/api/v1/accounts/verify_credentials":
            return 200, {"id": "7", "username": "org"}, {}
        if req.path == "/api/v1/accounts/7/statuses":
            return 200, list(reversed(self.statuses)), {}
        return 404, {"error": "Record not found"}, {}
