"""Fake Mailgun API v3: POST /v3/<domain>/messages (multipart, <=1000 `to`, recipient-variables) and
the Events API, GET /v3/<domain>/events, checked against its documented query.

Every batch it handles is recorded as one ``accepted`` event per recipient, carrying the batch's
tags (``o:tag``) and variables (``v:``) as Mailgun does (``tags``, ``user-variables``). The Events
API takes the documented filters (``begin``, ``end``, ``ascending``, ``limit`` <= 300, ``event``
and ``tags`` with ``OR``), pages with ``paging.next`` and always ends with an empty page.
Docs: https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/events/get-v3-domain_name-events
"""

from __future__ import annotations

import base64
import json
import time
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http_api import FakeApi, Reply, Request

KEY = "mg-test-key"
DOMAIN = "mg.example.org"
EVENT_FIELDS = {
    "begin",
    "end",
    "ascending",
    "limit",
    "event",
    "recipient",
    "message-id",
    "tags",
    "severity",
    "from",
    "to",
    "subject",
    "size",
    "list",
    "attachment",
}
EVENT_TYPES = {
    "accepted",
    "rejected",
    "delivered",
    "failed",
    "opened",
    "clicked",
    "unsubscribed",
    "complained",
    "stored",
    "list_member_uploaded",
    "list_member_upload_error",
    "list_uploaded",
}


def form_fields(r: Request) -> list[tuple[str, str]]:
    """Parse multipart/form-data with the stdlib MIME parser."""
    head = f"Content-Type: {r.header('Content-Type')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + r.body)
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields.append((str(name), part.get_content()))
    return fields


class FakeMailgun(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.delivered: list[str] = []
        self.calls = 0
        self.events: list[dict[str, object]] = []  # what the Events API serves, oldest first

    def handle(self, r: Request) -> Reply:
        auth = r.header("Authorization")
        self.check(auth == "Basic " + base64.b64encode(f"api:{KEY}".encode()).decode(), "bad auth")
        path = urlsplit(r.path).path
        if r.method == "GET" and (path == f"/v3/{DOMAIN}/events" or path.startswith(f"/v3/{DOMAIN}/events/")):
            return self._events(r)
        if r.method != "POST" or r.path != f"/v3/{DOMAIN}/messages":
            self.violations.append(f"undocumented call {r.method} {r.path}")
            return Reply(404, {"message": "not found"})
        self.check(r.header("Content-Type").startswith("multipart/form-data"), "not multipart/form-data")
        fields = form_fields(r)
        to = [v for k, v in fields if k == "to"]
        if len(to) > 1000:
            return Reply(400, {"message": "Too many recipients, max is 1000"})
        values = dict(fields)
        raw = values.get("recipient-variables")
        self.check(raw is not None, "batch without recipient-variables: everyone sees every address")
        variables = json.loads(raw or "{}")
        addresses = [t.rsplit("<", 1)[-1].rstrip(">") for t in to]
        self.check(set(addresses) == set(variables), "recipient-variables do not match the to list")
        self.check("%recipient.unsub_html%" in values.get("html", ""), "no per-recipient unsubscribe link")
        tags = [v for k, v in fields if k == "o:tag"]
        self.check(len(tags) <= 3, "more than 3 tags on a message")
        self.check(all(len(t) <= 128 and t.isascii() for t in tags), "a tag longer than 128 or not ASCII")
        self.calls += 1
        self.delivered += addresses
        message_id = f"<batch{self.calls}@{DOMAIN}>"
        user = {k[2:]: v for k, v in fields if k.startswith("v:")}
        for address in addresses:
            self.events.append(self._event("accepted", address, tags, user, message_id))
        return Reply(200, {"id": message_id, "message": "Queued. Thank you."})

    def _event(
        self, kind: str, address: str, tags: list[str], user: dict[str, str], mid: str
    ) -> dict[str, object]:
        return {
            "id": f"ev{len(self.events) + 1}",
            "event": kind,
            "timestamp": time.time(),
            "recipient": address,
            "tags": [t.lower() for t in tags],
            "user-variables": user,
            "message": {"headers": {"message-id": mid.strip("<>")}},
        }

    def forget(self, addresses: set[str]) -> None:
        """As if Mailgun never got these (only part of a batch accepted)."""
        self.events = [e for e in self.events if e["recipient"] not in addresses]
        self.delivered = [a for a in self.delivered if a not in addresses]

    # -- GET /v3/<domain>/events --------------------------------------------------
    def _events(self, r: Request) -> Reply:
        url = urlsplit(r.path)
        page = url.path.rsplit("/events", 1)[1].strip("/")
        if page:  # paging.next: the query and where the page starts, as an opaque token
            state = json.loads(base64.urlsafe_b64decode(page.encode()))
            query, start = state["query"], state["start"]
        else:
            query, start = {k: v[0] for k, v in parse_qs(url.query).items()}, 0
            self._check_query(r, query)
        limit = int(query.get("limit", 100))
        matching = [e for e in self.events if self._matches(e, query)]
        if query.get("ascending") != "yes":
            matching.reverse()
        items = matching[start : start + limit]
        token = base64.urlsafe_b64encode(
            json.dumps({"query": query, "start": start + limit}).encode()
        ).decode()
        next_url = f"{self.base}/v3/{DOMAIN}/events/{token}"
        paging = {"next": next_url, "previous": next_url, "first": next_url, "last": next_url}
        return Reply(200, {"items": items, "paging": paging})

    def _check_query(self, r: Request, query: dict[str, str]) -> None:
        for field in query:
            self.check(field in EVENT_FIELDS, f"undocumented events filter {field}")
        self.check(
            "end" in query or query.get("ascending") in ("yes", "no"), "ascending required without end"
        )
        self.check(1 <= int(query.get("limit", "100")) <= 300, "limit must be 1..300")
        for field in ("begin", "end"):
            if field in query:
                self.check(_time(query[field]) is not None, f"{field} is neither epoch seconds nor RFC 2822")
        for kind in _terms(query.get("event", "")):
            self.check(kind in EVENT_TYPES, f"unknown event type {kind}")

    def _matches(self, event: dict[str, object], query: dict[str, str]) -> bool:
        stamp = float(event["timestamp"])  # type: ignore[arg-type]
        begin, end = _time(query.get("begin", "")), _time(query.get("end", ""))
        if begin is not None and stamp < begin or end is not None and stamp > end:
            return False
        kinds = _terms(query.get("event", ""))
        if kinds and event["event"] not in kinds:
            return False
        tags = {t.lower() for t in _terms(query.get("tags", ""))}
        return not tags or bool(tags & set(event["tags"]))  # type: ignore[arg-type]


def _terms(expression: str) -> list[str]:
    """The alternatives of a filter value such as ``accepted OR rejected``."""
    return [t.strip().strip('"') for t in expression.split(" OR ") if t.strip()]


def _time(value: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
