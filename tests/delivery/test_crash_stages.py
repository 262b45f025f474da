"""After a crash, each delivery left ``sending`` is settled by how far its call got.

The ledger rules on SQLite and a real PostgreSQL, then kill -9 of `digest send`
against a real SMTP server at the two moments that matter: before anything was
handed over (the server never got the message: it is sent again, nobody missed)
and after the final "." was written but before the answer (in doubt: sent again
once and reported as a possible duplicate).
"""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from digest.store import open_store
from digest.store.ledger import Ledger
from digest.store.recovery import NOT_HANDED, RESENT
from digest.store.rows import ClaimSpec
from tests.delivery.conftest import add_subscribers
from tests.delivery.test_crash import digest
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.fakes.smtp import Mailbox, smtp_send_env, smtp_server

KEY = "weekly:2026-W23"
CHANNEL = "email:smtp"
DEAD = "nohost:1"


def stuck_rows(engine: Engine, handed: list[int], doubted: list[int]) -> Ledger:
    """Five deliveries claimed by a sender that died; some of their calls handed over."""
    ledger = Ledger(engine)
    ledger.ensure_edition(KEY, datetime(2026, 6, 1, 7, tzinfo=UTC))
    ledger.add_deliveries(
        KEY, CHANNEL, [(f"to:r{i}@example.net", [[f"r{i}@example.net", "", ""]]) for i in range(5)]
    )
    claim = ClaimSpec(KEY, CHANNEL, DEAD)
    with ledger.send_path(durable_claims=False) as path:
        rows = path.settle([], claim, 5)
        ids = [r.id for r in rows]
        if doubted:  # these were already resent once after an earlier crash
            path.settle([], None, 0, [ids[i] for i in doubted])
            ledger.expire_leases(KEY, [DEAD], staged=True, resend_doubtful=True)
            path.settle([], claim, 5)
        path.settle([], None, 0, [ids[i] for i in handed])
    return ledger


def by_target(ledger: Ledger) -> dict[str, tuple[str, int, str]]:
    return {r.target.removeprefix("to:"): (r.status, r.doubts, r.last_error) for r in ledger.deliveries(KEY)}


def check_rules(engine: Engine) -> None:
    ledger = stuck_rows(engine, handed=[1, 2], doubted=[2])
    assert ledger.expire_leases(KEY, [DEAD], staged=True, resend_doubtful=True) == 5
    rows = by_target(ledger)
    for i in (0, 3, 4):  # never handed over: not delivered, sent again, not an attempt
        assert rows[f"r{i}@example.net"] == ("pending", 0, NOT_HANDED)
    assert rows["r1@example.net"] == ("pending", 1, RESENT)  # in doubt: once more, counted
    status, doubts, error = rows["r2@example.net"]
    assert (status, doubts) == ("unknown", 1) and "check before resending" in error  # never a third copy
    assert [r.target for r in ledger.doubtful(KEY)] == ["to:r1@example.net", "to:r2@example.net"]
    assert {r.attempts for r in ledger.deliveries(KEY, statuses=("pending",))} == {0}


def test_recovery_rules_sqlite(tmp_path: Path) -> None:
    check_rules(open_store(f"sqlite:///{tmp_path / 'digest.db'}"))


def test_recovery_rules_postgres(pg_url: str) -> None:  # noqa: F811
    engine = open_store(pg_url)
    try:
        check_rules(engine)
    finally:
        engine.dispose()


def test_without_stages_everything_stuck_is_unknown(tmp_path: Path) -> None:
    ledger = stuck_rows(open_store(f"sqlite:///{tmp_path / 'digest.db'}"), handed=[1], doubted=[])
    ledger.expire_leases(KEY, [DEAD])
    assert {s for s, _, _ in by_target(ledger).values()} == {"unknown"}


def test_http_stages_resend_only_what_never_left(tmp_path: Path) -> None:
    """An HTTP provider records its hand-over but is not resent in doubt (no SMTP rule)."""
    ledger = stuck_rows(open_store(f"sqlite:///{tmp_path / 'digest.db'}"), handed=[1], doubted=[])
    ledger.expire_leases(KEY, [DEAD], staged=True)
    rows = by_target(ledger)
    assert rows["r1@example.net"][0] == "unknown"
    assert {rows[f"r{i}@example.net"][0] for i in (0, 2, 3, 4)} == {"pending"}


def test_an_answer_clears_the_stage(tmp_path: Path) -> None:
    """A 4xx after the "." puts the message back to retry; a later crash must not see it in doubt."""
    from digest.store.rows import Outcome

    ledger = stuck_rows(open_store(f"sqlite:///{tmp_path / 'digest.db'}"), handed=[0], doubted=[])
    first = ledger.deliveries(KEY)[0]
    with ledger.send_path(durable_claims=False) as path:
        path.settle([Outcome(first.id, "pending", error="451 later", retry_at=0.0)], None, 0)
        path.settle([], ClaimSpec(KEY, CHANNEL, DEAD), 5)  # claimed again, nothing handed over yet
    ledger.expire_leases(KEY, [DEAD], staged=True, resend_doubtful=True)
    assert by_target(ledger)["r0@example.net"][:2] == ("pending", 0)


# -- kill -9 of `digest send` at the two moments -------------------------------------------
def smtp_env(data: Path, port: int) -> dict[str, str]:
    return smtp_send_env(data, port, DIGEST_SMTP_TIMEOUT="600")


def kill_when(box: Mailbox, proc, ready) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not ready():
        time.sleep(0.01)
    assert proc.poll() is None, "digest send ended before the fault"
    time.sleep(0.3)  # the sender is now waiting on the server
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def crash_then_resume(tmp_path: Path, box: Mailbox, ready) -> tuple[dict, str, int]:  # type: ignore[no-untyped-def, type-arg]
    data = tmp_path / "var"
    data.mkdir()
    with smtp_server(box) as (_, port):
        env = smtp_env(data, port)
        engine = open_store(f"sqlite:///{data / 'digest.db'}")
        emails = add_subscribers(engine, 5)
        engine.dispose()
        kill_when(box, digest(env, "send", background=True), ready)
        final = digest(env, "send")
        status = json.loads(digest(env, "status", "--json").stdout)
    assert set(box.counts()) == set(emails), final.stdout  # nobody missed
    return status["editions"][0], final.stdout, final.returncode


def test_killed_before_the_message_was_handed_over_it_is_sent_again(tmp_path: Path) -> None:
    box = Mailbox(rcpt_replies=["hang"])  # the first message waits at RCPT: nothing of it was sent
    edition, out, code = crash_then_resume(tmp_path, box, lambda: box.sessions >= 1)
    assert max(box.counts().values()) == 1  # and nobody twice
    assert edition["status"] == "sent" and edition["deliveries"] == {"sent": 5}
    assert edition["possible_duplicates"] == [] and "possible duplicate" not in out and code == 0


def test_killed_waiting_for_the_answer_it_is_sent_once_more_and_reported(tmp_path: Path) -> None:
    box = Mailbox(data_replies=["hang"])  # the server keeps the first message and never answers
    edition, out, code = crash_then_resume(tmp_path, box, lambda: len(box.raw) >= 1)
    twice = [a for a, n in box.counts().items() if n == 2]
    assert len(twice) == 1 and max(box.counts().values()) == 2  # one duplicate, one connection in flight
    assert edition["possible_duplicates"] == twice  # reported, by address
    assert "1 possible duplicate(s)" in out and twice[0] in out
    assert edition["status"] == "sent" and code == 0
