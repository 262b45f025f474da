"""Fake Mailchimp Marketing API 3.0: create campaign, put content, actions/send (204), reports, Basic auth."""

from __future__ import annotations

import base64

from tests.fakes.http_api import FakeApi, Reply, Request

KEY = "0123456789abcdef-us21"


class FakeMailchimp(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.campaigns: dict[str, dict[str, object]] = {}
        self.sent: list[str] = []

    def handle(self, r: Request) -> Reply:
        auth = r.header("Authorization")
        ok = auth.startswith("Basic ") and base64.b64decode(auth[6:]).decode().split(":", 1)[1] == KEY
        self.check(ok, f"bad auth on {r.path}")
        parts = r.path.split("/")[1:]  # 3.0/campaigns/<id>/...
        if r.method == "POST" and parts == ["3.0", "campaigns"]:
            body = r.json()
            self.check(body.get("type") == "regular", "campaign type is not regular")
            self.check(body.get("recipients", {}).get("list_id") == "list1", "no list_id")
            settings = body.get("settings", {})
            for field in ("subject_line", "from_name", "reply_to"):
                self.check(bool(settings.get(field)), f"settings.{field} missing")
            cid = f"c{len(self.campaigns) + 1}"
            self.campaigns[cid] = {"status": "save", "content": None}
            return Reply(200, {"id": cid, "status": "save"})
        if r.method == "GET" and len(parts) == 3 and parts[1] == "reports":
            return self._report(parts[2])
        if len(parts) >= 3 and parts[1] == "campaigns" and parts[2] in self.campaigns:
            c = self.campaigns[parts[2]]
            rest = parts[3:]
            if r.method == "GET" and not rest:
                return Reply(200, {"id": parts[2], "status": c["status"]})
            if r.method == "PUT" and rest == ["content"]:
                body = r.json()
                self.check(
                    "*|UNSUB|*" in body.get("html", ""), "no *|UNSUB|* in the HTML (Mailchimp requires it)"
                )
                c["content"] = body
                return Reply(200, {"html": body.get("html")})
            if r.method == "POST" and rest == ["actions", "send"]:
                self.check(c["content"] is not None, "sent before content was set")
                self.check(c["status"] == "save", f"campaign {parts[2]} sent twice")
                c["status"] = "sending"
                self.sent.append(parts[2])
                return Reply(204)
            if r.method == "POST" and rest == ["actions", "test"]:
                self.check(bool(r.json().get("test_emails")), "no test_emails")
                return Reply(204)
        self.violations.append(f"undocumented call {r.method} {r.path}")
        return Reply(404, {"title": "Resource Not Found"})

    def _report(self, cid: str) -> Reply:
        # GET /3.0/reports/{campaign_id}: only sent campaigns have a report.
        if cid not in self.sent:
            return Reply(404, {"title": "Resource Not Found", "status": 404})
        c = self.counts
        bounces = {"hard_bounces": c.hard, "soft_bounces": c.soft, "syntax_errors": 0}
        return Reply(200, {"id": cid, "type": "regular", "emails_sent": c.sent, "bounces": bounces})
