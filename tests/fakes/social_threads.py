"""Fake Threads API: a TEXT container, then threads_publish; container status for reconciling."""

from __future__ import annotations

from typing import Any

from tests.fakes.social_http import FakePlatform, Request, need


class FakeThreads(FakePlatform):
    def __init__(self, user: str = "me", token: str = "ttoken") -> None:
        super().__init__()
        self.user, self.token = user, token
        self.containers: dict[str, dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        q = req.query
        if q.get("access_token") != self.token:
            return 401, {"error": {"message": "Invalid OAuth access token", "code": 190}}, {}
        if req.method == "POST" and req.path == f"/{self.user}/threads":
            need(q.get("media_type") == "TEXT", "media_type=TEXT")
            need(len(q.get("text", "").encode()) <= 500, "text over 500 bytes")
            cid = f"c{len(self.containers) + 1}"
            self.containers[cid] = {
                "text": q["text"],
                "status": "FINISHED",
                "reply_to_id": q.get("reply_to_id"),
            }
            return 200, {"id": cid}, {}
        if req.method == "POST" and req.path == f"/{self.user}/threads_publish":
            cid = q.get("creation_id", "")
            need(cid in self.containers, "unknown creation_id")
            need(self.containers[cid]["status"] == "FINISHED", "container already published")
            self.containers[cid]["status"] = "PUBLISHED"
            post = {"id": f"t{len(self.posts) + 1}", "text": self.containers[cid]["text"]}
            self.posts.append(post)
            return 200, {"id": post["id"]}, {}
        if req.method == "GET" and req.path.lstrip("/") in self.containers:
            c = self.containers[req.path.lstrip("/")]
            return 200, {"id": req.path.lstrip("/"), "status": c["status"]}, {}
        if req.method == "GET" and req.path == f"/{self.user}/threads":
            return 200, {"data": list(reversed(self.posts))}, {}
        return 404, {"error": {"message": "Unsupported request"}}, {}
