"""Fake Postmark: POST /email/batch (<=500 messages, 200 with one result per message, some may fail)."""

from __future__ import annotations

from tests.fakes.http_api import FakeApi, Reply, Request

TOKEN = "pm-server-token"


class FakePostmark(FakeApi):
    def __init__(self, inactive: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.delivered: list[str] = []
        self.inactive = inactive
        self.calls = 0

    def handle(self, r: Request) -> Reply:
        self.check(r.header("X-Postmark-Server-Token") == TOKEN, "bad server token")
        if r.method != "POST" or r.path != "/email/batch":
            self.violations.append(f"undocumented call {r.method} {r.path}")
            return Reply(404, {"ErrorCode": 404, "Message": "not found"})
        messages = r.json()
        if not isinstance(messages, list) or len(messages) > 500:
            return Reply(422, {"ErrorCode": 300, "Message": "batch larger than 500"})
        self.calls += 1
        results = []
        for m in messages:
            self.check(m.get("MessageStream") == "broadcast", "not on the broadcast stream")
            for field in ("From", "To", "Subject", "HtmlBody", "TextBody"):
                self.check(bool(m.get(field)), f"{field} missing")
            self.check("%%" not in m.get("HtmlBody", ""), "unreplaced marker")
            address = m["To"].rsplit("<", 1)[-1].rstrip(">")
            if address in self.inactive:
                results.append(
                    {
                        "ErrorCode": 406,
                        "Message": "You tried to send to a recipient that has been marked as inactive.",
                        "To": m["To"],
                    }
                )
                continue
            self.delivered.append(address)
            results.append(
                {"ErrorCode": 0, "Message": "OK", "MessageID": f"pm-{len(self.delivered)}", "To": m["To"]}
            )
        return Reply(200, results)
