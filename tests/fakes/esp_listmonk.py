"""Fake listmonk API: POST /api/campaigns (draft), PUT /api/campaigns/{id}/status, GET /api/bounces,
BasicAuth user:token."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

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
        url = urlsplit(r.path)
        parts = url.path.split("/")[1:]  # api/campaigns/<id>/status
        if r.method == "GET" and parts == ["api", "bounces"]:
            return self._bounces(parse_qs(url.query))
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
                n = self.counts.of(c["status"] != "draft").sent
                return Reply(200, {"data": {"id": cid, "status": c["status"], "sent": n, "to_send": n}})
            if r.method == "PUT" and parts[3:] == ["status"]:
                self.check(r.json() == {"status": "running"}, "status body")
                self.check(c["status"] == "draft", f"campaign {cid} started twice")
                c["status"] = "running"
                self.started.append(cid)
                return Reply(200, {"data": {"id": cid, "status": "running"}})
        self.violations.append(f"undocumented call {r.method} {r.path}")
        return Reply(404, {"message": "not found"})

    def _bounces(self, query: dict[str, list[str]]) -> Reply:
        # GET /api/bounces?campaign_id=&page=&per_page=: one page of bounce records and the total.
        cid = query.get("campaign_id", [""])[0]
        self.check(cid.isdigit() and int(cid) in self.campaigns, f"bounces of unknown campaign {cid!r}")
        per_page = int(query.get("per_page", ["20"])[0])
        started = cid.isdigit() and int(cid) in self.started
        total = self.counts.of(started).hard + self.counts.of(started).soft
        results = [
            {"id": i + 1, "type": "hard", "source": "api", "campaign": {"id": int(cid)}}
            for i in range(min(total, per_page))
        ]
        return Reply(200, {"data": {"results": results, "total": total, "per_page": per_page, "page": 1}})
