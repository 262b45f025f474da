"""The ledger's claim on a real PostgreSQL: exactly ``limit`` rows, never one row to two owners."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from digest.store import open_store
from digest.store.ledger import Ledger


def test_claim_takes_exactly_limit_rows_on_postgresql(pg_url: str) -> None:
    engine = open_store(pg_url)
    ledger = Ledger(engine)
    ledger.ensure_edition("weekly:2026-W23", datetime(2026, 6, 1, 7, tzinfo=UTC))
    ledger.add_deliveries("weekly:2026-W23", "email:outbox", [(f"to:{n}", [n]) for n in range(6)])
    # A plain UPDATE ... WHERE id IN (SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED) once took all six here.
    assert [r.target for r in ledger.claim("weekly:2026-W23", "email:outbox", "a:1")] == ["to:0"]
    assert len(ledger.claim("weekly:2026-W23", "email:outbox", "a:1", limit=2)) == 2
    assert ledger.counts("weekly:2026-W23") == {"sending": 3, "pending": 3}
    engine.dispose()


def test_concurrent_claims_never_share_a_row_on_postgresql(pg_url: str) -> None:
    engine = open_store(pg_url)
    ledger = Ledger(engine)
    ledger.ensure_edition("weekly:2026-W23", datetime(2026, 6, 1, 7, tzinfo=UTC))
    ledger.add_deliveries("weekly:2026-W23", "email:outbox", [(f"to:{n}", [n]) for n in range(200)])
    taken: dict[str, list[int]] = {}

    def worker(owner: str) -> None:
        mine = taken.setdefault(owner, [])
        while rows := ledger.claim("weekly:2026-W23", "email:outbox", owner):
            assert len(rows) == 1
            mine.append(rows[0].id)
            ledger.finish(rows[0].id, "sent")

    threads = [threading.Thread(target=worker, args=(f"host:{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for owned in taken.values() for i in owned]
    assert len(ids) == 200 and len(set(ids)) == 200
    assert sum(1 for owned in taken.values() if owned) >= 2  # they really competed
    assert ledger.counts("weekly:2026-W23") == {"sent": 200}
    engine.dispose()
