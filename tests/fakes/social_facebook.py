"""Fake Facebook Graph API: POST /{page-id}/feed with message, link and a Page token."""

from __future__ import annotations

from typing import Any

from tests.fakes.social_http import FakePlatform, Request, need


class FakeFacebook(FakePlatform):
    def __init__(self, page: str = "555", token: str = "ptoken") -> None:
        super().__init__()
        self.page, self.token = page, token
        self.posts: list[dict[str, Any]] = []

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        fields = req.form() if req.method == "POST" else req.query
        if fields.get("access_token") != self.token:
            return (
                401,
                {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
                {},
            )
        if req.method == "POST" and req.path.endswith(f"/{self.page}/feed"):
            need(bool(fields.get("message")), "message missing")
            need(fields.get("link", "").startswith("http"), "link missing")
            post = {"id": f"{self.page}_{900 + len(self.posts)}", "message": fields["message"]}
            self.posts.append(post)
            return 200, {"id": post["id"]}, {}
        if req.path.endswith(f"/{self.page}/posts"):
            return 200, {"data": list(reversed(self.posts))}, {}
        return 404, {"error": {"message": "Unknown path"}}, {}
