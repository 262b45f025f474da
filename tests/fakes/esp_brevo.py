"""Fake Brevo API v3: POST /emailCampaigns (201 {id}), POST /emailCampaigns/{id}/sendNow (204),
GET /emailCampaigns/{id}?statistics=globalStats."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.fakes.http_api import FakeApi, Reply, Request

KEY = "xkeysib-test"


class FakeBrevo(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.campaigns: dict[int, dict[str, object]] = {}
        self.sent: list[int] = []

    def handle(self, r: Request) -> Reply:
        self.check(r.header("api-key") == KEY, "bad api-key header")
        url = urlsplit(r.path)
        parts = url.path.split("/")[1:]  # v3/emailCampaigns/<id>/sendNow
        if r.method == "POST" and parts == ["v3", "emailCampaigns"]:
            body = r.json()
            for field in ("name", "subject", "sender", "htmlContent", "recipients"):
                self.check(field in body, f"{field} missing")
            self.check(body.get("recipients", {}).get("listIds") == [7], "listIds must be [7]")
            self.check("{{ unsubscribe }}" in body.get("htmlContent", ""), "no unsubscribe tag")
            cid = len(self.campaigns) + 1
            self.campaigns[cid] = {"status": "draft"}
            return Reply(201, {"id": cid})
        if (
            len(parts) >= 3
            and parts[1] == "emailCampaigns"
            and parts[2].isdigit()
            and int(parts[2]) in self.campaigns
        ):
            cid = int(parts[2])
            c = self.campaigns[cid]
            if r.method == "GET" and len(parts) == 3:
                statistics = parse_qs(url.query).get("statistics", [""])[0]
                self.check(statistics in ("", "globalStats", "linksStats", "statsByDomain"), "statistics")
                answer: dict[str, object] = {"id": cid, "status": c["status"]}
                if statistics == "globalStats":
                    answer["statistics"] = {"globalStats": self._global(c["status"] != "draft")}
                return Reply(200, answer)
            if r.method == "POST" and parts[3:] == ["sendNow"]:
                self.check(c["status"] == "draft", f"campaign {cid} sent twice")
                c["status"] = "queued"
                self.sent.append(cid)
                return Reply(204)
            if r.method == "POST" and parts[3:] == ["sendTest"]:
                return Reply(204)
        self.violations.append(f"undocumented call {r.method} {r.path}")
        return Reply(404, {"code": "not_found", "message": "not found"})

    def _global(self, started: bool) -> dict[str, int]:
        c = self.counts.of(started)
        zero = ("uniqueClicks", "clickers", "complaints", "uniqueViews", "unsubscriptions", "viewed")
        return {
            "sent": c.sent,
            "delivered": c.delivered,
            "hardBounces": c.hard,
            "softBounces": c.soft,
            **dict.fromkeys(zero, 0),
        }
