"""Fake listmonk API: POST /api/campaigns (draft), PUT /api/campaigns/{id}/status, BasicAuth user:token."""

from __future__ import annotations

import base64

from tests.fakes.http_api import FakeApi, Reply, Request

USER, TOKEN = "digest-api", "lm-token"


class FakeListmonk(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.campaigns: dict[int, dict[str, object]] = {}
        self.started: list[int] = []

    def handle(self, r: Request) -> Reply:
        auth = r.header("Authorization")
        self.check(auth == "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode(), "bad auth")
        parts = r.path.split("/")[1:]  # api/campaigns/<id>/status
        if r.method == "POST" and parts == ["api", "campaigns"]:
            body = r.json()
            self.check(
                body.get("type") == "regular" and body.get("content_type") == "html", "type/content_type"
            )
            self.check(body.get("lists") == [3], "lists must be [3] as integers")
            self.check("{{ UnsubscribeURL }}" in body.get("body", ""), "no UnsubscribeURL tag")
            self.check(bool(body.get("altbody")), "no altbody (plain text)")
            cid = len(self.campaigns) + 1
            self.campaigns[cid] = {"status": "draft"}
            return Reply(200, {"data": {"id": cid, "status": "draft"}})
        if (
            len(parts) >= 3
            and parts[1] == "campaigns"
            and parts[2].isdigit()
            and int(parts[2]) in self.campaigns
        ):
            cid = int(parts[2])
            c = self.campaigns[cid]
            if r.method == "GET" and len(parts) == 3:
                return Reply(200, {"data": {"id": cid, "status": c["status"]}})
            if r.method == "PUT" and parts[3:] == ["status"]:
                self.check(r.json() == {"status": "running"}, "status body")
                self.check(c["status"] == "draft", f"campaign {cid} started twice")
                c["status"] = "running"
                self.started.append(cid)
                return Reply(200, {"data": {"id": cid, "status": "running"}})
        self.violations.append(f"undocumented call {r.method} {r.path}")
        return Reply(404, {"message": "not found"})
