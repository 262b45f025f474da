"""`digest run` as real processes: SIGTERM and crashes mid-send, several daemons on one database.

The daemons are the real command line (tests/scheduler/slow_digest.py only slows
the outbox down and logs each call), on SQLite files and on a real PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from digest.store import open_store, schema
from tests.scheduler.conftest import add_subscribers, delivery_statuses, editions, write_feed

SCRIPT = Path(__file__).with_name("slow_digest.py")


def due_an_hour_ago() -> str:
    """A weekly cron line whose last slot was an hour ago: stable for the whole test."""
    t = datetime.now(UTC) - timedelta(hours=1)
    return f"{t.minute} {t.hour} * * {(t.weekday() + 1) % 7}"


@dataclass
class Site:
    root: Path
    env_file: Path
    send_log: Path
    engine: Engine
    emails: list[str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *args: str, delay: float = 0.0) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
        env.update(DIGEST_TEST_SEND_LOG=str(self.send_log), DIGEST_TEST_SEND_DELAY=str(delay))
        n = len(self.procs)
        proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), "--env-file", str(self.env_file), "run", *args],
            cwd=self.root,
            env=env,
            stdout=open(self.root / f"out{n}.txt", "wb"),  # noqa: SIM115 (closed with the process)
            stderr=open(self.root / f"err{n}.txt", "wb"),  # noqa: SIM115
        )
        self.procs.append(proc)
        return proc

    def run_once(self) -> int:
        return self.start("--once").wait(timeout=120)

    def stderr(self, n: int) -> str:
        return (self.root / f"err{n}.txt").read_text(encoding="utf-8", errors="replace")

    def calls(self) -> list[str]:
        if not self.send_log.exists():
            return []
        return [line.split()[0] for line in self.send_log.read_text(encoding="utf-8").splitlines()]

    def pids(self) -> set[str]:
        return {line.split()[1] for line in self.send_log.read_text(encoding="utf-8").splitlines()}


@pytest.fixture
def make_site(tmp_path: Path) -> Iterator[Callable[..., Site]]:
    sites: list[Site] = []

    def make(subscribers: int, database_url: str = "", schedule: str = "") -> Site:
        feed = tmp_path / "feed.xml"
        now = datetime.now(UTC)
        write_feed(feed, [(f"Story {n}", now - timedelta(hours=2 + n)) for n in range(3)])
        lines = [
            f"DIGEST_DATA_DIR={tmp_path / 'var'}",
            f"DIGEST_SOURCES={feed}",
            f"DIGEST_SCHEDULE={schedule or due_an_hour_ago()}",
            "DIGEST_TIMEZONE=UTC",
        ]
        if database_url:
            lines.append(f"DIGEST_DATABASE_URL={database_url}")
        env_file = tmp_path / "digest.env"
        env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        engine = open_store(database_url or f"sqlite:///{tmp_path / 'var' / 'digest.db'}")
        site = Site(tmp_path, env_file, tmp_path / "sends.log", engine, add_subscribers(engine, subscribers))
        sites.append(site)
        return site

    yield make
    for site in sites:
        for proc in site.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        site.engine.dispose()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stop_all(site: Site) -> list[int]:
    for proc in site.procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    return [proc.wait(timeout=30) for proc in site.procs]


def test_sigterm_during_a_send_checkpoints_exits_zero_and_resumes(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site(12)
    daemon = site.start(delay=0.4)
    wait_for(lambda: len(site.calls()) >= 3, 60, "the first sends")
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=20) == 0
    statuses = Counter(delivery_statuses(site.engine))
    # The call in flight finished and was recorded; nothing is left mid-air.
    assert statuses["sending"] == 0 and statuses["unknown"] == 0
    assert statuses["sent"] == len(site.calls()) and 3 <= statuses["sent"] < 12
    assert statuses["pending"] == 12 - statuses["sent"]
    assert "SIGTERM received" in site.stderr(0)
    assert "SIGTERM received" in (site.root / "var" / "logs" / "digest.log").read_text(encoding="utf-8")

    assert site.run_once() == 0  # the next start resumes the same edition
    assert Counter(site.calls()) == Counter({e: 1 for e in site.emails})
    assert list(editions(site.engine).values()) == ["sent"]


@pytest.mark.parametrize("crashed_on", ["this machine", "another machine"])
def test_crash_mid_send_then_restart_resumes_and_sends_nobody_twice(make_site, crashed_on: str) -> None:  # type: ignore[no-untyped-def]
    site = make_site(12)
    daemon = site.start(delay=0.5)
    wait_for(lambda: len(site.calls()) >= 3, 60, "the first sends")
    daemon.kill()  # power cut: no chance to checkpoint
    daemon.wait()
    assert Counter(delivery_statuses(site.engine))["sending"] == 1
    if crashed_on == "another machine":
        with site.engine.begin() as conn:
            conn.execute(update(schema.deliveries).where(schema.deliveries.c.status == "sending")
                         .values(lease_owner="elsewhere:4242"))
        # Its lease still runs: the restart sends everyone else and leaves that call alone.
        assert site.run_once() == 0
        assert Counter(delivery_statuses(site.engine)) == Counter({"sent": 11, "sending": 1})
        assert list(editions(site.engine).values()) == ["sending"]
        with site.engine.begin() as conn:  # ... until the lease has run out
            conn.execute(update(schema.deliveries).where(schema.deliveries.c.status == "sending")
                         .values(lease_until=0.0))
    # The call in flight at the crash may have gone out: it is reported unknown, never resent.
    assert site.run_once() == 1  # trouble: cron mails the output
    assert Counter(delivery_statuses(site.engine)) == Counter({"sent": 11, "unknown": 1})
    assert list(editions(site.engine).values()) == ["partial"]
    assert Counter(site.calls()) == Counter({e: 1 for e in site.emails})


def test_two_daemons_on_one_sqlite_file_send_once(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site(20)
    site.start(delay=0.05)
    site.start(delay=0.05)
    wait_for(lambda: Counter(delivery_statuses(site.engine))["sent"] == 20, 90, "all deliveries")
    time.sleep(0.5)  # let a slower daemon finish its own (empty) pass
    assert stop_all(site) == [0, 0]
    assert len(editions(site.engine)) == 1
    assert Counter(site.calls()) == Counter({e: 1 for e in site.emails})


def test_three_daemons_on_postgresql_send_once(make_site, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    site = make_site(30, database_url=pg_url)
    for _ in range(3):
        site.start(delay=0.1)
    wait_for(lambda: Counter(delivery_statuses(site.engine))["sent"] == 30, 120, "all deliveries")
    time.sleep(0.5)
    assert stop_all(site) == [0, 0, 0]
    assert list(editions(site.engine).values()) == ["sent"]
    assert Counter(site.calls()) == Counter({e: 1 for e in site.emails})
    # The work really was shared: rows were claimed by more than one process.
    assert len(site.pids()) >= 2


@pytest.mark.slow
def test_cron_fires_in_a_running_daemon(make_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = make_site(2, schedule="* * * * *")
    site.start()
    wait_for(lambda: "sent" in editions(site.engine).values(), 60, "the start-up check's edition")
    first = set(editions(site.engine))
    write_feed(tmp_path / "feed.xml", [("Fresh news", datetime.now(UTC))])

    def later_sent() -> bool:
        return any(v == "sent" for k, v in editions(site.engine).items() if k not in first)

    # A minute that fired before the new story was written is skipped (nothing new); the next sends.
    wait_for(later_sent, 150, "a cron fire that sends the new story")
    assert stop_all(site) == [0]
    later = set(editions(site.engine)) - first
    assert all(key.startswith("slot:") for key in later)
    assert "schedule check" in site.stderr(0)  # sent by the cron job, not only by the start-up check
