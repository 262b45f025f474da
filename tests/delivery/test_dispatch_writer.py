"""Group commit in dispatch: one ledger writer for all sending threads, the invariants unchanged.

Each call must find its delivery already committed as ``sending`` (checked from a
separate database connection at the moment of the call), no thread may hold more
than one claimed delivery, and the outcomes of several threads share transactions.
Run on SQLite and on a real PostgreSQL. A provider that records its hand-overs (SMTP)
claims each thread's next delivery in its hand-over's transaction: then a thread holds
its message being handed over and the next, and at most one per thread is in doubt.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from digest.deliver.dispatch import Policy, dispatch
from digest.deliver.writer import LedgerWriter
from digest.errors import ProviderError
from digest.providers.base import SendResult
from digest.store import open_store, schema
from digest.store.ledger import DeliveryRow, Ledger
from digest.store.rows import ClaimSpec, Outcome
from digest.store.sendpath import SendPath, claim_params
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)

KEY = "weekly:2026-W23"
CHANNEL = "email:smtp"


def ledger_with(engine: Engine, n: int) -> Ledger:
    ledger = Ledger(engine)
    ledger.ensure_edition(KEY, datetime(2026, 6, 1, 7, tzinfo=UTC))
    ledger.add_deliveries(KEY, CHANNEL, [(f"to:{i}", [[f"r{i}@example.net", "", ""]]) for i in range(n)])
    return ledger


def committed_status(engine: Engine, delivery_id: int) -> tuple[str, int]:
    """(status of this delivery, number of deliveries in ``sending``) as another connection sees them."""
    d = schema.deliveries
    with engine.connect() as conn:
        status = conn.scalar(select(d.c.status).where(d.c.id == delivery_id))
        sending = conn.scalar(select(func.count()).where(d.c.status == "sending"))
    return str(status), int(sending or 0)


def run_and_check(engine: Engine, n: int = 300, workers: int = 4) -> None:
    ledger = ledger_with(engine, n)
    seen: list[tuple[int, str, int]] = []
    lock = threading.Lock()

    def send(row: DeliveryRow) -> SendResult:
        status, sending = committed_status(engine, row.id)
        time.sleep(0.001)  # a call takes time, so the threads overlap
        with lock:
            seen.append((row.id, status, sending))
        return SendResult(provider_id=f"id-{row.id}")

    stats = dispatch(ledger, KEY, CHANNEL, send, policy=Policy(workers=workers))
    assert stats.sent == n and stats.failed == stats.unknown == 0
    assert sorted(i for i, _, _ in seen) == sorted({i for i, _, _ in seen})  # each sent once
    assert len(seen) == n
    assert {status for _, status, _ in seen} == {"sending"}  # durable before the call
    assert max(sending for _, _, sending in seen) <= workers  # one claimed delivery per thread at most
    assert ledger.counts(KEY) == {"sent": n}
    assert {r.provider_id for r in ledger.deliveries(KEY)} == {f"id-{i}" for i, _, _ in seen}


def test_group_commit_keeps_the_invariants_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    run_and_check(engine)
    engine.dispose()
    # The raw path stores times as SQLAlchemy does (text without an offset), so Core reads them back.
    with sqlite3.connect(tmp_path / "digest.db") as conn:
        stamps = {r[0] for r in conn.execute("select updated_at from deliveries")}
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", s) for s in stamps)


def test_group_commit_keeps_the_invariants_on_postgresql(pg_url: str) -> None:  # noqa: F811
    engine = open_store(pg_url)
    run_and_check(engine)
    engine.dispose()


def test_waiting_threads_share_one_transaction(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger = ledger_with(engine, 40)
    claim = ClaimSpec(KEY, CHANNEL, "host:1")
    start = threading.Barrier(4)
    got: list[DeliveryRow] = []

    def worker(writer: LedgerWriter) -> None:
        start.wait()
        row = writer.next(None)
        while row is not None:
            got.append(row)
            time.sleep(0.002)
            row = writer.next(Outcome(row.id, "sent"))

    # The writer waits for the other threads (as a send's does), so a loaded machine cannot split the groups.
    with LedgerWriter(ledger, claim, threads=4, gather=0.5) as writer:
        threads = [threading.Thread(target=worker, args=(writer,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(got) == len({r.id for r in got}) == 40
    assert ledger.counts(KEY) == {"sent": 40}
    # 40 outcomes and 44 claims (the last four find nothing): far fewer transactions than calls.
    assert writer.transactions < 40
    engine.dispose()


def test_outcomes_and_retries_are_recorded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger = ledger_with(engine, 9)
    calls: dict[str, int] = {}

    def send(row: DeliveryRow) -> SendResult:
        n = int(row.target.removeprefix("to:"))
        calls[row.target] = calls.get(row.target, 0) + 1
        if n % 3 == 1:
            raise ProviderError("smtp", "550 no such user", status_code=550)
        if n % 3 == 2 and calls[row.target] == 1:
            raise ProviderError("smtp", "451 try later", status_code=451, retryable=True, retry_after=0.05)
        return SendResult()

    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    stats = dispatch(ledger, KEY, CHANNEL, send, policy=Policy(workers=3), wait=wait)
    assert (stats.sent, stats.failed, stats.retried) == (6, 3, 3)
    assert ledger.counts(KEY) == {"sent": 6, "failed": 3}
    assert waits and all(0 <= w <= 0.05 for w in waits)
    rows = {r.target: r for r in ledger.deliveries(KEY)}
    assert rows["to:1"].last_error.endswith("550 no such user")
    assert rows["to:2"].attempts == 2 and rows["to:2"].last_error == ""


def test_a_failed_transaction_reaches_every_waiting_thread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger = ledger_with(engine, 3)

    class BrokenPath(SendPath):
        def settle(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk full")

    class Broken(Ledger):
        def send_path(self, *, durable_claims: bool = True) -> SendPath:
            return BrokenPath(self.engine, durable_claims=durable_claims)

    writer = LedgerWriter(Broken(engine), ClaimSpec(KEY, CHANNEL, "host:1"))
    with writer, pytest.raises(RuntimeError, match="disk full"):
        writer.next(None)
    assert ledger.counts(KEY) == {"pending": 3}  # nothing claimed, nothing lost


def test_send_path_keeps_every_claim_fsynced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")

    def synchronous(raw) -> int:  # type: ignore[no-untyped-def]
        cursor = raw.cursor()
        value = cursor.execute("PRAGMA synchronous").fetchone()[0]
        cursor.close()
        return int(value)

    with Ledger(engine).send_path() as path:
        # FULL: a claim survives a power cut too, so a message is never sent twice.
        assert synchronous(path.raw) == 2
    engine.dispose()


def test_a_claim_looks_up_only_the_rows_it_takes_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # With an index on status (the tallies'), SQLite's planner read every pending delivery for
    # each claim, so a run's claims grew with the square of the list. The ids come by rowid.
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger_with(engine, 40)
    spec = ClaimSpec(KEY, CHANNEL, "me", 300.0)
    with Ledger(engine).send_path() as path:
        cursor = path.raw.cursor()
        args = path.claim.args(claim_params(spec, 4, "2026-06-01 07:00:00"))
        plan = [str(step[3]) for step in cursor.execute("EXPLAIN QUERY PLAN " + path.claim.sql, args)]
        cursor.close()
        path.raw.rollback()
        assert plan[0] == "SEARCH deliveries USING INTEGER PRIMARY KEY (rowid=?)", plan
        assert [row.target for row in path.settle([], spec, 4)] == [f"to:{i}" for i in range(4)]
    engine.dispose()


def test_staged_send_path_flushes_hand_overs_not_claims(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With hand-overs recorded (SMTP), a claim need not reach the disk; a hand-over must."""
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger = ledger_with(engine, 2)
    levels: list[str] = []

    def spy(raw) -> None:  # type: ignore[no-untyped-def]
        cursor = raw.cursor()
        levels.append({1: "NORMAL", 2: "FULL"}[int(cursor.execute("PRAGMA synchronous").fetchone()[0])])
        cursor.close()

    claim = ClaimSpec(KEY, CHANNEL, "host:1")
    with ledger.send_path(durable_claims=False) as path:
        row = path.settle([], claim, 1)[0]
        spy(path.raw)
        path.settle([], None, 0, [row.id])
        spy(path.raw)
        path.settle([Outcome(row.id, "sent")], claim, 1)
        spy(path.raw)
    assert levels == ["NORMAL", "FULL", "NORMAL"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # restored for the pool's next user
    engine.dispose()


def in_doubt(engine: Engine) -> int:
    """Deliveries handed over without an outcome, as another connection sees them."""
    d = schema.deliveries
    with engine.connect() as conn:
        handed = select(func.count()).where(d.c.status == "sending", d.c.stage == "handed")
        return int(conn.scalar(handed) or 0)


Seen = list[tuple[str, int]]  # (status of the delivery at its call, deliveries in doubt after its hand-over)


def handing_over_run(engine: Engine, n: int, workers: int, stop_after: int) -> tuple[Ledger, Seen]:
    """A staged run (the SMTP way): each call records its hand-over, which claims the thread's next
    delivery; a stop comes right after the ``stop_after``-th hand-over."""
    from digest.providers.handover import handing_over

    ledger = ledger_with(engine, n)
    seen: Seen = []
    lock = threading.Lock()
    stop = threading.Event()

    def send(row: DeliveryRow) -> SendResult:
        status, _ = committed_status(engine, row.id)
        handing_over()()  # flushed, with this thread's earlier outcome and its next claim
        with lock:
            seen.append((status, in_doubt(engine)))
            if len(seen) == stop_after:
                stop.set()
        return SendResult()

    dispatch(ledger, KEY, CHANNEL, send, policy=Policy(workers=workers, staged=True), stop=stop.is_set)
    return ledger, seen


@pytest.mark.parametrize("workers", [1, 3])
def test_each_hand_over_claims_the_next_and_a_stop_puts_it_back(tmp_path, workers: int) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger, seen = handing_over_run(engine, 60, workers, stop_after=12)
    rows = ledger.deliveries(KEY)
    sent = [r for r in rows if r.status == "sent"]
    assert 12 <= len(sent) <= 12 + workers and len(sent) == len(seen)
    assert {r.status for r in rows} == {"sent", "pending"}  # nothing left claimed or in doubt
    assert all(status == "sending" for status, _ in seen)  # claimed and committed before its call
    # At most one message per thread is ever handed over without its outcome recorded.
    assert max(doubt for _, doubt in seen) <= workers
    # Claimed ahead and never called: put back without using up an attempt.
    assert {r.attempts for r in rows if r.status == "pending"} == {0}
    assert {r.attempts for r in sent} == {1}
    engine.dispose()


def test_a_whole_run_handing_over_sends_everyone_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger, seen = handing_over_run(engine, 80, 4, stop_after=0)
    assert ledger.counts(KEY) == {"sent": 80} and len(seen) == 80
    assert max(doubt for _, doubt in seen) <= 4
    engine.dispose()


def test_a_run_does_not_stop_to_copy_the_log_every_thousand_pages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The send's ledger connection lets SQLite's log grow to CHECKPOINT_PAGES before copying it into
    the database (at the default 1,000 pages the writer stopped every few hundred messages, every
    sender waiting); each commit is still flushed, and the pool's next user gets the default back."""
    from digest.store.sendpath import CHECKPOINT_PAGES, SQLITE_CHECKPOINT

    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger_with(engine, 400)
    claim = ClaimSpec(KEY, CHANNEL, "test-owner")
    with SendPath(engine, durable_claims=False) as path:
        assert path.cursor.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_PAGES
        assert path.cursor.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        done: list[Outcome] = []
        row: DeliveryRow | None = path.settle([], claim, 1)[0]
        while row is not None:  # as one SMTP thread: each hand-over records the last outcome, claims the next
            rows = path.settle(done, claim, 1, [row.id])
            done, row = [Outcome(row.id, "sent")], rows[0] if rows else None
        path.settle(done, None, 0)
        frames = path.cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    assert frames > SQLITE_CHECKPOINT  # the log was not copied back during the run
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == SQLITE_CHECKPOINT
    engine.dispose()
