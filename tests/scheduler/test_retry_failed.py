"""A scheduled send that failed for a reason that can pass is tried again, and its alert clears
(issues 19 and 21).

The mail server is down at 09:05; the edition is ``failed`` and `digest status` exits 1. The
schedule tries again after a growing wait (5 minutes, doubling, at most an hour) until
DIGEST_MAX_LATENESS after the slot; once the server is back it goes out, each supporter once,
its alert is resolved and `digest status` exits 0 again. The clock is the suite's fixed one
(DIGEST_TEST_NOW); the mail server is a real one that comes up on the port that refused before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from digest.deliver.send import send_current
from digest.jobs.digest_job import check_digest
from digest.jobs.runner import Runner, wake_for
from digest.providers import make_provider
from digest.store import open_store, schema
from tests.fakes.smtp import Mailbox, free_port, smtp_server
from tests.scheduler.conftest import add_subscribers, editions, write_feed

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)  # 09:00 in Berlin (CEST)
KEY = "weekly:2026-W23"


def at(hour: int, minute: int) -> datetime:
    """That time on the Monday of the slot, Berlin time (CEST, UTC+2)."""
    return datetime(2026, 6, 1, hour - 2, minute, tzinfo=UTC)


def values(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    feed = tmp_path / "feed.xml"
    if not feed.exists():
        write_feed(feed, [("Winter coats", MONDAY - timedelta(days=1))])
    return {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": str(feed),
        "DIGEST_SCHEDULE": "0 9 * * 1",
        "DIGEST_TIMEZONE": "Europe/Berlin",
        "DIGEST_PROVIDER": "smtp",
        "DIGEST_SMTP_HOST": "127.0.0.1",
        "DIGEST_SMTP_PORT": str(port),
        "DIGEST_SMTP_SECURITY": "none",
        "DIGEST_SMTP_CONNECTIONS": "1",
        "DIGEST_SEND_MAX_WAIT": "0.1",  # the in-run retries of a refused connection: quick
        **extra,
    }


def digest(env: dict[str, str], when: datetime, *args: str) -> subprocess.CompletedProcess[str]:
    """A `digest` command at ``when`` by the suite's fixed clock."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    full.update(env, DIGEST_TEST_NOW=when.isoformat())
    return subprocess.run(
        [sys.executable, "-m", "digest", *args], env=full, capture_output=True, text=True, timeout=120,
        check=False, cwd=env["DIGEST_DATA_DIR"].rsplit("/", 1)[0],
    )


def alerts(engine) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """alert key -> resolved."""
    a = schema.alerts
    with engine.connect() as conn:
        return {k: r is not None for k, r in conn.execute(select(a.c.key, a.c.resolved_at))}


def test_smtp_down_at_0905_goes_out_when_back_and_the_alert_clears(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    port = free_port()  # nothing listens yet: connections are refused
    env = values(tmp_path, port)
    settings = make_settings(**env)
    engine = open_store(settings.db_url)
    emails = add_subscribers(engine, 4)

    down = digest(env, at(9, 5), "run", "--once")
    assert down.returncode == 1, down.stdout + down.stderr
    assert "cannot connect" in down.stdout and "tries again at 2026-06-01 09:10 CEST" in down.stdout
    assert editions(engine) == {KEY: "failed"}
    assert digest(env, at(9, 6), "status").returncode == 1

    waiting = digest(env, at(9, 8), "run", "--once")
    assert waiting.returncode == 0 and "tries again at 2026-06-01 09:10 CEST" in waiting.stdout
    with smtp_server(Mailbox(), port=port) as (box, _):
        early = digest(env, at(9, 9), "run", "--once")  # the server is back, but the wait is not over
        assert early.returncode == 0 and box.raw == [] and box.sessions == 0
        back = digest(env, at(9, 11), "run", "--once")
        assert back.returncode == 0, back.stdout + back.stderr
        assert sorted(box.counts().elements()) == emails  # each supporter once
        later = digest(env, at(9, 30), "run", "--once")
        assert "nothing to do" in later.stdout and len(box.raw) == 4
    assert editions(engine) == {KEY: "sent"}
    assert alerts(engine) == {f"retry:{KEY}": True}

    status = digest(env, at(9, 31), "status", "--json")
    assert status.returncode == 0, status.stdout
    data = json.loads(status.stdout)
    assert data["ok"] is True
    [alert] = data["scheduler"]["alerts"]
    assert alert["kind"] == "send-failed" and alert["resolved_at"] and "went out" in alert["resolution"]
    text = digest(env, at(9, 31), "status")
    assert text.returncode == 0 and "resolved" in text.stdout


def test_the_wait_grows_until_max_lateness_then_digest_gives_up(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(**values(tmp_path, free_port(), DIGEST_MAX_LATENESS="2h"))
    engine = open_store(settings.db_url)
    add_subscribers(engine, 2)
    first = check_digest(settings, engine, at(9, 5))
    assert (first.outcome, first.retry_at) == ("failed", at(9, 10)) and first.trouble
    assert check_digest(settings, engine, at(9, 7)).outcome == "waiting"
    plan = []
    for when in (at(9, 10), at(9, 20), at(9, 40), at(10, 20), at(11, 0)):
        result = check_digest(settings, engine, when)
        assert result.outcome == "retrying" and not result.trouble, result.message
        plan.append(result.retry_at)
    assert plan == [at(9, 20), at(9, 40), at(10, 20), at(11, 0), at(11, 0)]  # 10, 20, 40 min; then the limit
    gave_up = check_digest(settings, engine, at(11, 1))
    assert gave_up.outcome == "failed" and "DIGEST_MAX_LATENESS" in gave_up.message
    assert check_digest(settings, engine, at(11, 16)).outcome == "done"
    assert alerts(engine) == {f"retry:{KEY}": False, f"gave-up:{KEY}": False}
    assert editions(engine) == {KEY: "failed"}


def test_a_refused_address_is_not_tried_again_by_the_schedule(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    box = Mailbox(rcpt_replies=["550 5.1.1 no such mailbox"])
    with smtp_server(box) as (box, port):
        settings = make_settings(**values(tmp_path, port))
        engine = open_store(settings.db_url)
        add_subscribers(engine, 3)
        first = check_digest(settings, engine, at(9, 5))
        sessions = box.sessions
        later = check_digest(settings, engine, at(9, 30))
    assert first.outcome == "partial" and first.retry_at is None
    assert later.outcome == "done" and box.sessions == sessions  # a refusal is for good
    assert alerts(engine) == {f"partial:{KEY}": False}


def test_digest_send_by_hand_tries_again_at_once(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    settings = make_settings(**values(tmp_path, port))
    engine = open_store(settings.db_url)
    emails = add_subscribers(engine, 3)
    failed = send_current(settings, engine, make_provider(settings), now=at(9, 5))
    assert failed.status == "failed"
    with smtp_server(Mailbox(), port=port) as (box, _):
        report = send_current(settings, engine, make_provider(settings), now=at(9, 6))
    assert report.status == "sent", report.message
    assert sorted(box.counts().elements()) == emails


def test_the_daemon_wakes_for_the_retry(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    from apscheduler.schedulers.background import BackgroundScheduler

    future = datetime(2031, 6, 2, 7, 5, tzinfo=UTC)  # a Monday 09:05 Berlin, ahead of any real clock
    write_feed(tmp_path / "feed.xml", [("Summer camp", future - timedelta(days=1))])
    settings = make_settings(**values(tmp_path, free_port()))
    engine = open_store(settings.db_url)
    add_subscribers(engine, 1)
    runner = Runner(settings, engine, mode="once", clock=lambda: future)
    woken: list[datetime] = []
    runner.wake = woken.append
    result = runner.check("schedule")
    assert result is not None and result.outcome == "failed"
    assert woken == [future + timedelta(minutes=5)]
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start(paused=True)  # running, as in the daemon, but nothing fires here
    try:
        wake_for(scheduler, runner, woken[0])
        wake_for(scheduler, runner, woken[0] + timedelta(minutes=1))  # replaces, never adds
        jobs = scheduler.get_jobs()
    finally:
        scheduler.shutdown(wait=False)
    assert [j.id for j in jobs] == ["wake"] and jobs[0].trigger.run_date == woken[0] + timedelta(minutes=1)
