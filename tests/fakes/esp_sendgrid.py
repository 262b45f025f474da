"""Fake SendGrid v3: mail/send (<=1000 personalizations, 202), Marketing Single Sends, and the
Email Activity API (GET /v3/messages?limit=&query=, ``query`` as documented: ``field="value"``
terms, ``unique_args['name']="value"`` among them), served only when ``activity`` is on (the
paid add-on); without it the endpoint answers 403.
Docs: https://www.twilio.com/docs/sendgrid/api-reference/email-activity/filter-all-messages
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http_api import FakeApi, Reply, Request

KEY = "SG.test-key"
TERM = re.compile(r"""^(?:unique_args\['(?P<arg>[^']+)'\]|(?P<field>[a-z_]+))="(?P<value>[^"]*)"$""")
QUERY_FIELDS = {
    "msg_id",
    "from_email",
    "subject",
    "to_email",
    "status",
    "template_id",
    "asm_group_id",
    "api_key_id",
    "events",
    "originating_ip",
    "categories",
    "outbound_ip",
    "last_event_time",
    "clicks",
    "unique_args",
}


class FakeSendGrid(FakeApi):
    def __init__(self, activity: bool = True) -> None:
        super().__init__()
        self.delivered: list[str] = []
        self.calls = 0
        self.singlesends: dict[str, dict[str, object]] = {}
        self.scheduled: list[str] = []
        self.activity = activity
        self.messages: list[dict[str, object]] = []  # what the Email Activity API finds

    def handle(self, r: Request) -> Reply:
        self.check(r.header("Authorization") == f"Bearer {KEY}", f"bad auth on {r.path}")
        self.check(r.header("User-Agent").startswith("digest/"), "no digest User-Agent")
        if r.method == "GET" and urlsplit(r.path).path == "/v3/messages":
            return self._activity(r)
        if r.method == "POST" and r.path == "/v3/mail/send":
            return self._mail(r.json())
        if r.method == "POST" and r.path == "/v3/marketing/singlesends":
            body = r.json()
            config = body.get("email_config", {})
            self.check(bool(body.get("send_to", {}).get("list_ids")), "send_to.list_ids missing")
            self.check(isinstance(config.get("sender_id"), int), "sender_id must be an integer")
            self.check(
                "suppression_group_id" in config or "custom_unsubscribe_url" in config,
                "no unsubscribe option",
            )
            sid = f"ss-{len(self.singlesends) + 1}"
            self.singlesends[sid] = {"status": "draft"}
            return Reply(201, {"id": sid, "status": "draft"})
        parts = r.path.split("/")[1:]  # v3/marketing/singlesends/<id>/schedule
        if r.method == "GET" and parts[:4] == ["v3", "marketing", "stats", "singlesends"] and len(parts) == 5:
            return self._stats(parts[4])
        if (
            len(parts) >= 4
            and parts[:3] == ["v3", "marketing", "singlesends"]
            and parts[3] in self.singlesends
        ):
            ss = self.singlesends[parts[3]]
            if r.method == "GET" and len(parts) == 4:
                return Reply(200, {"id": parts[3], "status": ss["status"]})
            if r.method == "PUT" and parts[4:] == ["schedule"]:
                self.check(r.json() == {"send_at": "now"}, "schedule body")
                self.check(ss["status"] == "draft", f"single send {parts[3]} scheduled twice")
                ss["status"] = "scheduled"
                self.scheduled.append(parts[3])
                return Reply(201, {"send_at": "now", "status": "scheduled"})
        self.violations.append(f"undocumented call {r.method} {r.path}")
        return Reply(404, {"errors": [{"message": "not found"}]})

    def _stats(self, sid: str) -> Reply:
        # GET /v3/marketing/stats/singlesends/{id}: one "total" row per A/B variation ("all" here).
        self.check(sid in self.singlesends, f"stats of unknown single send {sid}")
        c = self.counts.of(sid in self.scheduled)
        stats = {"requests": c.sent, "delivered": c.delivered, "bounces": c.hard + c.soft}
        stats.update(dict.fromkeys(("bounce_drops", "opens", "clicks", "unsubscribes", "spam_reports"), 0))
        row = {"id": sid, "ab_variation": "all", "ab_phase": "all", "aggregation": "total", "stats": stats}
        return Reply(200, {"results": [row], "_metadata": {"count": 1}})

    def _mail(self, body: dict) -> Reply:  # type: ignore[type-arg]
        self.calls += 1
        people = body.get("personalizations", [])
        self.check(1 <= len(people) <= 1000, f"{len(people)} personalizations (1..1000 allowed)")
        addresses = [to["email"] for p in people for to in p.get("to", [])]
        self.check(len(addresses) == len(set(addresses)), "duplicate recipients across personalizations")
        self.check(
            all(len(p.get("to", [])) == 1 for p in people), "a personalization with several recipients"
        )
        types = [c.get("type") for c in body.get("content", [])]
        self.check(types == ["text/plain", "text/html"], f"content order {types}")
        self.check(bool(body.get("from", {}).get("email")) and bool(body.get("subject")), "from/subject")
        html = body["content"][1]["value"]
        for p in people:
            subs = p.get("substitutions", {})
            self.check(
                all(k in html or k in body["content"][0]["value"] for k in subs), "unused substitution"
            )
            self.check(
                p.get("headers", {}).get("List-Unsubscribe", "").startswith("<"), "no List-Unsubscribe"
            )
        self.check("%%" not in html, "unreplaced %% marker in the HTML")
        self.delivered += addresses
        for p in people:
            for to in p.get("to", []):
                self.messages.append(
                    {"to_email": to["email"], "args": p.get("custom_args", {}), "n": self.calls}
                )
        return Reply(202, None, {"X-Message-Id": f"sg-{self.calls}"})

    def forget(self, addresses: set[str]) -> None:
        """As if SendGrid never got these."""
        self.messages = [m for m in self.messages if m["to_email"] not in addresses]
        self.delivered = [a for a in self.delivered if a not in addresses]

    def _activity(self, r: Request) -> Reply:
        if not self.activity:
            return Reply(403, {"errors": [{"field": None, "message": "access forbidden"}]})
        query = {k: v[0] for k, v in parse_qs(urlsplit(r.path).query).items()}
        self.check(set(query) <= {"limit", "query"}, f"undocumented parameters {sorted(query)}")
        self.check(1 <= int(query.get("limit", "10")) <= 1000, "limit must be 1..1000")
        wanted: dict[str, str] = {}
        for term in query.get("query", "").split(" AND "):
            found = TERM.match(term.strip())
            self.check(found is not None, f"query term not in the documented form: {term!r}")
            if found is None:
                return Reply(400, {"errors": [{"field": "query", "message": "invalid query"}]})
            field = found["field"]
            self.check(field is None or field in QUERY_FIELDS, f"unknown query field {field}")
            wanted[f"arg:{found['arg']}" if found["arg"] else field] = found["value"]
        hits = [m for m in self.messages if _matches(m, wanted)]
        return Reply(200, {"messages": [_summary(m) for m in hits[: int(query.get("limit", "10"))]]})


def _matches(message: dict[str, object], wanted: dict[str, str]) -> bool:
    args = message["args"]
    assert isinstance(args, dict)
    for name, value in wanted.items():
        if name.startswith("arg:") and args.get(name[4:]) != value:
            return False
        if name == "to_email" and message["to_email"] != value:
            return False
    return True


def _summary(message: dict[str, object]) -> dict[str, object]:
    return {
        "from_email": "news@example.org",
        "msg_id": f"sg-{message['n']}.filter0001.{message['to_email']}",
        "subject": "digest",
        "to_email": message["to_email"],
        "status": "processed",
        "opens_count": 0,
        "clicks_count": 0,
        "last_event_time": "2026-06-01T07:01:02Z",
    }
