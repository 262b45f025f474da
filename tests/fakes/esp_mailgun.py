"""Fake Mailgun API v3: POST /v3/<domain>/messages, multipart, <=1000 `to`, recipient-variables."""

from __future__ import annotations

import base64
import json
from email.parser import BytesParser
from email.policy import HTTP

from tests.fakes.http_api import FakeApi, Reply, Request

KEY = "mg-test-key"
DOMAIN = "mg.example.org"


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

    def handle(self, r: Request) -> Reply:
        auth = r.header("Authorization")
        self.check(auth == "Basic " + base64.b64encode(f"api:{KEY}".encode()).decode(), "bad auth")
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
        self.calls += 1
        self.delivered += addresses
        return Reply(200, {"id": f"<batch{self.calls}@{DOMAIN}>", "message": "Queued. Thank you."})
