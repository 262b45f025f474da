"""Fake LinkedIn Posts API: version headers, Restli 2.0.0, escaped commentary, x-restli-id."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.social_http import FakePlatform, Request, need

# Reserved little-text characters that must carry a backslash (outside links and #tags).
_UNESCAPED = re.compile(r"(?<!\\)[|{}@\[\]()<>*_~]")


class FakeLinkedIn(FakePlatform):
    def __init__(self, token: str = "ltoken") -> None:
        super().__init__()
        self.token = token
        self.posts: list[dict[str, Any]] = []

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Invalid access token", "status": 401}, {}
        need(re.fullmatch(r"\d{6}", req.headers.get("linkedin-version", "")) is not None, "LinkedIn-Version")
        need(req.headers.get("x-restli-protocol-version") == "2.0.0", "X-Restli-Protocol-Version")
        if req.method == "POST" and req.path == "/rest/posts":
            body = req.json()
            need(body.get("author", "").startswith("urn:li:"), "author URN")
            need(body.get("lifecycleState") == "PUBLISHED", "lifecycleState")
            need(body.get("visibility") == "PUBLIC", "visibility")
            need(body["distribution"]["feedDistribution"] == "MAIN_FEED", "distribution")
            plain = re.sub(r"https?://\S+|#\w+", "", body["commentary"])
            need(not _UNESCAPED.search(plain), "unescaped reserved character: LinkedIn would cut the post")
            urn = f"urn:li:share:{700 + len(self.posts)}"
            self.posts.append({"id": urn, **body})
            return 201, {}, {"x-restli-id": urn}
        if req.path == "/rest/posts" and req.query.get("q") == "author":
            return 200, {"elements": list(reversed(self.posts))}, {}
        return 404, {"message": "Not found"}, {}
