"""`digest status` and the dashboard after a long history (figures go in the docs).

Builds two SQLite databases the way a long run of weekly sends leaves them, one recipient per
ledger row (the shape the SMTP provider and the outbox leave):

- big: 100,000 subscribers and 20 sent editions (2,000,000 delivery rows), the last one
  partial (some failed, some unknown, a few sent again after a hard stop, a few skipped);
- small: 2,000 subscribers and 1 edition of the same make-up.

Then times `digest status` (a fresh process, start-up included) and `GET /admin` (logged in,
through the application in this process) on each, interleaved, and reports the medians and
the big-over-small ratio, with the CPU time each took (on a busy machine the wall time waits for
a core; the CPU time is what one idle core would take). The issue's targets: `/admin` under
300 ms on the big database, and `status` on it within its own start-up (a ratio near 1).

The rows are written in bulk with INSERT ... SELECT over the subscribers (seconds, not the
minutes a real send would take); their payloads are the ones a send writes.

Run: .venv/bin/python benchmarks/history.py [--subscribers 100000] [--editions 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "benchmark password 1234"
CHANNEL = "email:outbox"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _settings_env(folder: Path) -> dict[str, str]:
    return {
        "DIGEST_DATA_DIR": str(folder / "var"),
        "DIGEST_SOURCES": str(ROOT / "content"),
        "DIGEST_ADMIN_PASSWORD": PASSWORD,
        "DIGEST_TEST_NOW": (START + timedelta(weeks=30)).isoformat(),
    }


def build(folder: Path, subscribers: int, editions: int) -> float:
    """A database under ``folder`` with that history; returns the seconds it took."""
    from sqlalchemy import insert, select

    from digest.plugins import load_settings
    from digest.store import open_store, schema

    began = time.perf_counter()
    settings = load_settings(environ=_settings_env(folder), read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    s, d = schema.subscribers, schema.deliveries
    with engine.begin() as conn:
        people = [
            {
                "email": f"person{n}@example.org",
                "name": f"Person {n}",
                "language": "en",
                "status": "active",
                "created_at": START - timedelta(days=n % 400),
            }
            for n in range(subscribers)
        ]
        conn.execute(insert(s), people)
        for week in range(editions):
            key = f"weekly:2026-W{week + 2:02d}"
            slot = START + timedelta(weeks=week)
            last = week == editions - 1
            conn.execute(
                insert(schema.editions).values(
                    key=key,
                    slot_utc=slot,
                    status="partial" if last else "sent",
                    reason="",
                    subject=f"News of week {week + 2}",
                    html="<p>news</p>",
                    text="news",
                    content_sha256="0" * 64,
                    created_at=slot,
                    sent_at=slot,
                )
            )
            row = _one_per_subscriber(s, key, slot)
            conn.execute(insert(d).from_select(list(row), select(*row.values())))
            if last:
                _trouble(conn, d, key)
    engine.dispose()
    return time.perf_counter() - began


def _one_per_subscriber(s: Any, key: str, slot: datetime) -> dict[str, Any]:
    """The delivery row a send leaves for one recipient, as expressions over a subscriber row."""
    from sqlalchemy import literal

    payload = literal('[["') + s.c.email + '", "' + s.c.name + '", "' + s.c.language + '"]]'
    return {
        "edition_key": literal(key), "channel": literal(CHANNEL), "target": literal("to:") + s.c.email,
        "payload": payload, "idem_key": literal(key) + "|" + s.c.email, "status": literal("sent"),
        "attempts": literal(1), "next_attempt_at": literal(0.0), "provider_id": literal("<id@x>"),
        "last_error": literal(""), "updated_at": literal(slot),
    }  # fmt: skip


def _trouble(conn: Any, d: Any, key: str) -> None:
    """The last edition: 1 in 50 failed, 1 in 500 unknown, 1 in 1,000 sent twice after a hard stop,
    1 in 700 skipped (left the list after the send began)."""
    from sqlalchemy import func, update

    mine = d.c.edition_key == key
    conn.execute(
        update(d).where(mine, d.c.id % 50 == 0).values(status="failed", last_error="550 mailbox full")
    )
    conn.execute(update(d).where(mine, d.c.id % 500 == 1).values(status="unknown", last_error="timed out"))
    conn.execute(update(d).where(mine, d.c.id % 1000 == 2).values(doubts=1))
    # The payload row of one who left gets the reason as its fourth element.
    without_end = func.substr(d.c.payload, 1, func.length(d.c.payload) - 2)
    conn.execute(update(d).where(mine, d.c.id % 700 == 3).values(payload=without_end + ', "unsubscribed"]]'))


def _status_once(env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one `digest status` in its own process."""
    script = Path(sys.executable).with_name("digest")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "digest"]
    cpu, began = _children_cpu(), time.perf_counter()
    subprocess.run([*argv, "status"], env=env, check=False, stdout=subprocess.DEVNULL, timeout=600)
    return time.perf_counter() - began, _children_cpu() - cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _admin_client(folder: Path) -> Any:
    from digest.plugins import load_settings
    from digest.serve import create_app
    from digest.store import open_store

    settings = load_settings(environ=_settings_env(folder), read_dotenv=False)
    client = create_app(settings, open_store(settings.db_url)).test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token})
    if answer.status_code != 303:
        raise SystemExit(f"could not log in to the dashboard: {answer.status_code}")
    return client


def _admin_once(client: Any) -> tuple[float, float]:
    """(wall, CPU) seconds of one `GET /admin` (the database is in this process: its CPU counts)."""
    cpu, began = time.process_time(), time.perf_counter()
    page = client.get("/admin")
    took = time.perf_counter() - began, time.process_time() - cpu
    if page.status_code != 200:
        raise SystemExit(f"/admin answered {page.status_code}")
    return took


def measure(folders: dict[str, Path], runs: int) -> dict[str, dict[str, float]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    clients = {name: _admin_client(folder) for name, folder in folders.items()}
    times: dict[str, list[tuple[float, float]]] = {
        f"{what} {name}": [] for what in ("status", "admin") for name in folders
    }
    for _ in range(runs):
        for name, folder in folders.items():
            times[f"status {name}"].append(_status_once({**base, **_settings_env(folder)}))
            times[f"admin {name}"].append(_admin_once(clients[name]))
    return {
        name: {
            "median_s": round(statistics.median(wall for wall, _ in t), 3),
            "cpu_s": round(statistics.median(cpu for _, cpu in t), 3),
        }
        for name, t in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=100_000, help="subscribers of the big database")
    parser.add_argument("--editions", type=int, default=20, help="sent editions of the big database")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-history-") as tmp:
        folders = {"big": Path(tmp) / "big", "small": Path(tmp) / "small"}
        built = {
            "big": build(folders["big"], args.subscribers, args.editions),
            "small": build(folders["small"], 2_000, 1),
        }
        result: dict[str, Any] = measure(folders, args.runs)
    for what in ("status", "admin"):
        big, small = result[f"{what} big"]["median_s"], result[f"{what} small"]["median_s"]
        result[f"{what} ratio"] = round(big / small, 2) if small else None
    result["built_s"] = {name: round(s, 1) for name, s in built.items()}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"big: {args.subscribers:,} subscribers, {args.editions} editions "
        f"({args.subscribers * args.editions:,} delivery rows); small: 2,000 and 1; median of {args.runs}"
    )
    for what in ("status", "admin"):
        big, small = result[f"{what} big"]["median_s"], result[f"{what} small"]["median_s"]
        ratio = result[f"{what} ratio"]
        cpu = result[f"{what} big"]["cpu_s"], result[f"{what} small"]["cpu_s"]
        print(f"{what:<7} big {big * 1000:6.0f} ms  small {small * 1000:6.0f} ms  ratio {ratio}x"
              f"  (CPU: big {cpu[0] * 1000:.0f} ms, small {cpu[1] * 1000:.0f} ms)")
    print(f"built in {result['built_s']['big']} s and {result['built_s']['small']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
