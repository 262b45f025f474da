"""Fake Postmark: POST /email/batch (<=500 messages, 200 with one result per message, some may fail)
and the outbound message search, GET /messages/outbound, checked against its documented query
(``count`` <= 500 and ``offset`` both required, ``count + offset`` <= 10,000; filters ``recipient``,
``fromemail``, ``tag``, ``status``, ``todate``, ``fromdate``, ``subject``, ``messagestream`` and
``metadata_<key>``). Docs: https://postmarkapp.com/developer/api/messages-api
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.fakes.http_api import FakeApi, Reply, Request

TOKEN = "pm-server-token"
SEARCH_FIELDS = {
    "count",
    "offset",
    "recipient",
    "fromemail",
    "tag",
    "status",
    "todate",
    "fromdate",
    "subject",
    "messagestream",
}


class FakePostmark(FakeApi):
    def __init__(self, inactive: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.delivered: list[str] = []
        self.inactive = inactive
        self.calls = 0
        self.sent: list[dict[str, object]] = []  # what the message search finds

    def handle(self, r: Request) -> Reply:
        self.check(r.header("X-Postmark-Server-Token") == TOKEN, "bad server token")
        if r.method == "GET" and urlsplit(r.path).path == "/messages/outbound":
            return self._search(r)
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
            message_id = f"pm-{len(self.delivered)}"
            self.sent.append({"MessageID": message_id, "Address": address, "Message": m})
            results.append({"ErrorCode": 0, "Message": "OK", "MessageID": message_id, "To": m["To"]})
        return Reply(200, results)

    def forget(self, addresses: set[str]) -> None:
        """As if Postmark never got these."""
        self.sent = [s for s in self.sent if s["Address"] not in addresses]
        self.delivered = [a for a in self.delivered if a not in addresses]

    def _search(self, r: Request) -> Reply:
        query = {k: v[0] for k, v in parse_qs(urlsplit(r.path).query).items()}
        for field in query:
            self.check(
                field in SEARCH_FIELDS or field.startswith("metadata_"), f"undocumented filter {field}"
            )
        self.check("count" in query and "offset" in query, "count and offset are required")
        count, offset = int(query.get("count", 0)), int(query.get("offset", 0))
        self.check(
            1 <= count <= 500 and count + offset <= 10_000, "count must be 1..500, count+offset <= 10000"
        )
        found = [s for s in self.sent if _matches(s, query)]
        page = found[offset : offset + count]
        return Reply(200, {"TotalCount": len(found), "Messages": [_outbound(s) for s in page]})


def _matches(sent: dict[str, object], query: dict[str, str]) -> bool:
    m = sent["Message"]
    assert isinstance(m, dict)
    metadata = m.get("Metadata") or {}
    for field, value in query.items():
        if field.startswith("metadata_") and metadata.get(field.removeprefix("metadata_")) != value:
            return False
    stream = query.get("messagestream")
    return not stream or m.get("MessageStream") == stream


def _outbound(sent: dict[str, object]) -> dict[str, object]:
    m = sent["Message"]
    assert isinstance(m, dict)
    return {
        "Tag": m.get("Tag", ""),
        "MessageID": sent["MessageID"],
        "MessageStream": m.get("MessageStream"),
        "To": [{"Email": sent["Address"], "Name": None}],
        "Cc": [],
        "Bcc": [],
        "Recipients": [sent["Address"]],
        "ReceivedAt": "2026-06-01T03:01:02.0000000-04:00",
        "From": m.get("From"),
        "Subject": m.get("Subject"),
        "Attachments": [],
        "Status": "Sent",
        "TrackOpens": False,
        "TrackLinks": "None",
        "Metadata": m.get("Metadata") or {},
        "Sandboxed": False,
    }
