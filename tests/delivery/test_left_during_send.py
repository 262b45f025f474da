"""Issue 20: whoever leaves the list while an edition goes out in batches is not in a later batch.

Postmark's batches hold 500: 1,200 subscribers are three calls. While the first call is in the
fake's hands, people of the later batches unsubscribe, bounce, are blocked, removed and forgotten,
and the whole third batch unsubscribes. The second call carries everyone else, the third is not
made; every one of them is in the ledger as skipped with why (the forgotten one nowhere), the
report counts them, and a webhook event naming a skipped address matches no message of ours."""

from __future__ import annotations

from sqlalchemy import update

from digest.deliver.resolve import email_rows, recipient_counts, recipients, skipped
from digest.store import schema
from digest.store.event_match import Call
from digest.store.forgotten import forget
from digest.store.subscribers import remove, unsubscribe
from digest.unsubscribe import secret_key
from tests.delivery.conftest import World
from tests.delivery.test_http_providers import run
from tests.fakes.esp_postmark import FakePostmark
from tests.fakes.http_api import Reply, Request, serve


class LeavingMidSend(FakePostmark):
    """Runs ``leave`` once, while the first batch is being handled (before it is answered)."""

    def __init__(self) -> None:
        super().__init__()
        self.world: World | None = None
        self.left = False

    def handle(self, r: Request) -> Reply:
        if not self.left and self.world is not None:
            self.left = True
            leave(self.world)
        return super().handle(r)


def status(w: World, address: str, value: str) -> None:
    with w.engine.begin() as conn:
        s = schema.subscribers
        conn.execute(update(s).where(s.c.email == address).values(status=value))


SECOND = [f"reader{n:06d}@example.net" for n in range(500, 1000)]
THIRD = [f"reader{n:06d}@example.net" for n in range(1000, 1200)]
WHY = {SECOND[1]: "unsubscribed", SECOND[2]: "bounced", SECOND[3]: "complained", SECOND[4]: "blocked"}
REMOVED, FORGOTTEN = SECOND[5], SECOND[6]


def leave(w: World) -> None:
    for address, why in WHY.items():
        status(w, address, why)
    for address in THIRD:
        unsubscribe(w.engine, address)
    remove(w.engine, REMOVED)
    forget(w.engine, secret_key(w.settings), FORGOTTEN)


def test_people_who_leave_during_a_send_are_skipped_and_recorded(world) -> None:  # type: ignore[no-untyped-def]
    fake = LeavingMidSend()
    with serve(fake) as api:
        w, emails = run(world, "postmark", api, 1_200)
        fake.world = w
        report = w.send()
    assert api.violations == []
    assert fake.calls == 2  # the third batch: everyone left, no call
    gone = {**WHY, **dict.fromkeys(THIRD, "unsubscribed"), REMOVED: "removed"}
    assert sorted(fake.delivered) == sorted(set(emails) - set(gone) - {FORGOTTEN})
    rows = email_rows(w.engine)
    assert [r.status for r in rows] == ["sent", "sent", "skipped"], report.message
    assert {who: why for r in rows for who, why in skipped(r)} == gone
    assert not any(FORGOTTEN in r.payload for r in rows)  # forgotten: not even as skipped
    assert sum(len(recipients(r)) for r in rows) == len(fake.delivered)
    counts = recipient_counts(w.engine, rows[0].edition_key)
    assert counts == {"sent": len(fake.delivered), "skipped": len(gone)}
    assert report.status == "sent", report.message
    said = [e["message"] for e in w.ledger.recent_events(50) if e["kind"] == "skipped"]
    assert len(said) == 2 and not any("@" in m for m in said), said
    assert "200 unsubscribed" in " ".join(said)
    second = Call(rows[1].id, rows[1].edition_key, rows[1].target, rows[1].payload)
    assert second.names(SECOND[0]) and not second.names(SECOND[1])  # an event for a skipped one: not ours
    assert "already sent" in w.send().message and fake.calls == 2


def test_a_rehearsal_copy_to_ourselves_is_not_skipped(world) -> None:  # type: ignore[no-untyped-def]
    w = world(DIGEST_PROVIDER="outbox")
    report = w.send()
    rows = email_rows(w.engine)
    assert report.status == "sent" and [r.status for r in rows] == ["sent"], report.message
    assert len(recipients(rows[0])) == 1 and skipped(rows[0]) == []
