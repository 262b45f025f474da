"""Fake Mastodon: POST /api/v1/statuses (form, Bearer token, Idempotency-Key), account statuses,
POST /api/v2/media (multipart: ``file``, ``description`` up to 1,500 characters) attached with
``media_ids[]``."""

from __future__ import annotations

import html
from typing import Any

from tests.fakes.social_http import FakePlatform, Request, multipart, need

MEDIA_MAX = 16 * 1024 * 1024


class FakeMastodon(FakePlatform):
    def __init__(self, token: str = "mtoken") -> None:
        super().__init__()
        self.token = token
        self.statuses: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}  # id -> description, data, mime, status

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "The access token is invalid"}, {}
        if req.method == "POST" and req.path == "/api/v2/media":
            return self._upload(req)
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
            media = form.get("media_ids[]")
            if media is not None:
                need(media in self.media, f"media {media!r} was never uploaded")
                need(self.media[media]["status"] is None, "media already attached to a status")
            n = len(self.statuses) + 1
            if media is not None:
                self.media[media]["status"] = str(100 + n)
            status = {
                "id": str(100 + n),
                "url": f"https://m.example/@org/{100 + n}",
                "content": "<p>" + html.escape(form["status"]) + "</p>",
                "in_reply_to_id": form.get("in_reply_to_id"),
                "content_type": kind,
                "text": form["status"],
                "media_attachments": [self._public(media)] if media is not None else [],
            }
            self.statuses.append(status)
            self.by_key[key] = status
            return 200, status, {}
        if req.path == "/api/v1/accounts/verify_credentials":
            return 200, {"id": "7", "username": "org"}, {}
        if req.path == "/api/v1/accounts/7/statuses":
            return 200, list(reversed(self.statuses)), {}
        return 404, {"error": "Record not found"}, {}

    def _upload(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        fields = multipart(req)
        need("file" in fields, "multipart field 'file' missing")
        _name, mime, data = fields["file"]
        need(mime.startswith("image/"), f"file type {mime!r}")
        need(0 < len(data) <= MEDIA_MAX, f"file of {len(data)} bytes")
        description = fields["description"][2].decode() if "description" in fields else ""
        need(len(description) <= 1500, "description over 1,500 characters")
        media_id = str(900 + len(self.media))
        self.media[media_id] = {"id": media_id, "type": "image", "description": description,
                                "url": f"https://m.example/media/{media_id}", "data": data, "mime": mime,
                                "status": None}
        return 200, self._public(media_id), {}

    def _public(self, media_id: str) -> dict[str, Any]:
        """The MediaAttachment as the API shows it (without what the fake keeps for the tests)."""
        return {k: v for k, v in self.media[media_id].items() if k not in ("data", "mime", "status")}
