"""Fake Buttondown API (v1): draft-then-publish, Token auth, X-Idempotency-Key replays, email analytics."""

from __future__ import annotations

from tests.fakes.http_api import FakeApi, Reply, Request

KEY = "bd-test-key"


class FakeButtondown(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.emails: dict[str, dict[str, object]] = {}
        self.replays: dict[str, Reply] = {}
        self.published: list[str] = []
        self.test_sends: list[list[str]] = []

    def handle(self, r: Request) -> Reply:
        self.check(r.header("Authorization") == f"Token {KEY}", f"bad auth on {r.path}")
        self.check(r.header("User-Agent").startswith("digest/"), "no digest User-Agent")
        key = r.header("X-Idempotency-Key")
        if key and key in self.replays:
            return self.replays[key]  # Stripe-style: the stored answer, nothing done again
        reply = self._route(r)
        if key and reply.status < 500:
            self.check(len(key) <= 200, "idempotency key longer than 200")
            self.replays[key] = reply
        return reply

    def _route(self, r: Request) -> Reply:
        parts = r.path.split("/")[1:]  # v1/emails/<id>/<action>
        if r.method == "POST" and parts == ["v1", "emails"]:
            body = r.json()
            self.check(
                body.get("status") == "draft", "email created without status=draft: it would send at once"
            )
            self.check(
                str(body.get("body", "")).startswith("<!-- buttondown-editor-mode: fancy -->"), "not HTML"
            )
            self.check("%%" not in body.get("body", ""), "unreplaced marker in body")
            new_id = f"em_{len(self.emails) + 1}"
            self.emails[new_id] = {"status": "draft", **body}
            return Reply(201, {"id": new_id, "status": "draft"})
        if len(parts) >= 3 and parts[:2] == ["v1", "emails"] and parts[2] in self.emails:
            email = self.emails[parts[2]]
            if r.method == "GET" and len(parts) == 3:
                return Reply(200, {"id": parts[2], "status": email["status"]})
            if r.method == "GET" and parts[3:] == ["analytics"]:
                return Reply(200, self._analytics(email["status"] != "draft"))
            if r.method == "POST" and parts[3:] == ["publish"]:
                self.check(email["status"] == "draft", f"published {parts[2]} twice")
                email["status"] = "about_to_send"
                self.published.append(parts[2])
                return Reply(200, {"id": parts[2], "status": "about_to_send"})
            if r.method == "POST" and parts[3:] == ["send-draft"]:
                self.check(email["status"] == "draft", "send-draft on a sent email")
                self.test_sends.append(r.json()["recipients"])
                return Reply(200, {})
        self.violations.append(f"undocumented call {r.method} {r.path}")
        return Reply(404, {"detail": "not found"})

    def _analytics(self, started: bool) -> dict[str, int]:
        # GET /v1/emails/{id}/analytics: counts by outcome; permanent failures are the bounces.
        c = self.counts.of(started)
        fields = ("opens", "clicks", "unsubscriptions", "complaints", "subscriptions", "replies")
        return {
            "recipients": c.sent,
            "deliveries": c.delivered,
            "temporary_failures": c.soft,
            "permanent_failures": c.hard,
            **dict.fromkeys(fields, 0),
        }
