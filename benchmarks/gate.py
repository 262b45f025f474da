"""What the safe-point check of each claim costs the sender's hot path (figures go in docs/sending.md).

Every claim of an email delivery looks up the edition's pause in its own transaction, and with
sending caps also counts the last day's hand-overs of the provider (digest/store/gate.py). This
runs the ledger writer's transaction (record one outcome, claim the next delivery, as one SMTP
connection does per message) on SQLite for N deliveries three ways, interleaved, in one run:
without the check (the baseline), with the pause check only (no caps set), and with caps (the
window counted each time, with a day's worth of earlier hand-overs in the table).

Run: .venv/bin/python benchmarks/gate.py [--deliveries 3000] [--repeat 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_run(folder: Path, limits: object, n: int, tag: str) -> float:
    from digest import clock
    from digest.store import open_store
    from digest.store.ledger import Ledger
    from digest.store.rows import ClaimSpec, Outcome

    engine = open_store(f"sqlite:///{folder / f'{tag}.db'}")
    ledger = Ledger(engine)
    ledger.ensure_edition("k", datetime(2027, 1, 4, tzinfo=UTC))
    ledger.add_deliveries("k", "email:smtp", [(f"to:{i}", [[f"r{i}@example.net", "", ""]]) for i in range(n)])
    # A day's worth of earlier hand-overs through the same provider, for the window to count:
    # claimed and recorded by the same send path, an hour earlier on digest's clock.
    ledger.ensure_edition("old", datetime(2027, 1, 3, tzinfo=UTC))
    older = [(f"to:o{i}", [[f"o{i}@example.net", "", ""]]) for i in range(n)]
    ledger.add_deliveries("old", "email:smtp", older)
    earlier = ClaimSpec("old", "email:smtp", "bench:0", 300.0, None)
    os.environ[clock.ENV] = datetime.fromtimestamp(time.time() - 3600, UTC).isoformat()
    try:
        with ledger.send_path() as path:
            rows = path.settle([], earlier, n)
            path.settle([Outcome(row.id, "sent") for row in rows], earlier, 0)
    finally:
        del os.environ[clock.ENV]
    claim = ClaimSpec("k", "email:smtp", "bench:1", 300.0, limits)  # type: ignore[arg-type]
    started = time.perf_counter()
    with ledger.send_path() as path:
        rows = path.settle([], claim, 1)
        while rows:
            rows = path.settle([Outcome(rows[0].id, "sent")], claim, 1)
    elapsed = time.perf_counter() - started
    assert ledger.counts("k") == {"sent": n}, ledger.counts("k")
    engine.dispose()
    return elapsed


def main() -> None:
    from digest.pacing import Limits

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=6)
    args = parser.parse_args()
    ways = {"no check": None, "pause only": Limits(), "caps": Limits(per_hour=10**9, per_day=10**9)}
    times: dict[str, list[float]] = {name: [] for name in ways}
    with tempfile.TemporaryDirectory() as tmp:
        names = list(ways)
        for r in range(args.repeat):
            # Each repeat starts with a different way: the first run of a round pays more (a colder
            # page cache), which would otherwise count against the same way every time.
            for name in names[r % len(names):] + names[: r % len(names)]:
                limits = ways[name]
                tag = f"{r}-{name.replace(' ', '')}"
                times[name].append(one_run(Path(tmp), limits, args.deliveries, tag))
    base = statistics.median(times["no check"])
    for name, found in times.items():
        middle = statistics.median(found)
        rate = args.deliveries / middle
        print(f"{name:<11} {rate:8.0f} claims/s  {middle / base:5.2f}x the time of no check")


if __name__ == "__main__":
    main()
