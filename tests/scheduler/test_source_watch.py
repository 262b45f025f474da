"""The volunteer hears what matters, once (issue 21): a partner feed that fails three weekly runs
and then recovers raises one alert and sends one recovery note; every edition sends one receipt
that names the sources that failed.

Real parts: `digest run --once` as a process at each weekly slot by the suite's fixed clock
(DIGEST_TEST_NOW), a local HTTP server for the partner feed (answering 503 while it is down), a
local SMTP server that receives the digests, the alerts and the receipts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from digest.jobs.source_watch import watch_sources
from digest.status import collect
from digest.store import open_store
from digest.store.source_health import SourceCheck, record_checks
from tests.delivery.test_receipt import text_of
from tests.fakes.smtp import Mailbox, smtp_server
from tests.scheduler.conftest import add_subscribers, editions, write_feed
from tests.scheduler.test_retry_failed import digest

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)  # 09:00 in Berlin (CEST)
OFFICE, REPORTS = "office@example.org", "reports@example.org"


@contextmanager
def partner_feed(body: bytes) -> Iterator[tuple[str, dict[str, bool]]]:
    """A feed at http://127.0.0.1:<port>/feed.xml that answers 503 while ``state["down"]``."""
    state = {"down": True}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if state["down"] or self.path != "/feed.xml":
                self.send_error(503 if state["down"] else 404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", state
    finally:
        server.shutdown()
        server.server_close()


def to(box: Mailbox, address: str) -> list[Message]:
    return [m for m in box.messages() if address in str(m["To"])]


def test_a_feed_failing_three_weekly_runs_then_recovering_is_told_once_and_its_recovery_once(
    tmp_path: Path, make_settings  # type: ignore[no-untyped-def]
) -> None:
    ours = tmp_path / "ours.xml"
    partner = tmp_path / "partner.xml"
    write_feed(partner, [("Partner camp report", MONDAY + timedelta(days=20))])
    write_feed(ours, [])
    with smtp_server() as (box, port), partner_feed(partner.read_bytes()) as (url, feed):
        env = {
            "DIGEST_DATA_DIR": str(tmp_path / "var"),
            "DIGEST_SOURCES": f"{ours},{url}",
            "DIGEST_FETCH_ALLOW_PRIVATE": "true",  # the partner's server is on 127.0.0.1 here
            "DIGEST_SCHEDULE": "0 9 * * 1",
            "DIGEST_TIMEZONE": "Europe/Berlin",
            "DIGEST_PROVIDER": "smtp",
            "DIGEST_SMTP_HOST": "127.0.0.1",
            "DIGEST_SMTP_PORT": str(port),
            "DIGEST_SMTP_SECURITY": "none",
            "DIGEST_ALERT_EMAIL": OFFICE,
            "DIGEST_REPORT_EMAIL": REPORTS,
        }
        engine = open_store(make_settings(**env).db_url)
        readers = add_subscribers(engine, 3)
        runs = []
        for week in range(4):
            slot = MONDAY + timedelta(weeks=week)
            # Our own feed has something new every week, so every week's edition goes out.
            write_feed(ours, [(f"Our week {n}", MONDAY + timedelta(weeks=n) - timedelta(days=1))
                              for n in range(week + 1)])
            feed["down"] = week < 3
            runs.append(digest(env, slot + timedelta(minutes=5), "run", "--once"))
            runs.append(digest(env, slot + timedelta(minutes=20), "run", "--once"))  # the watchdog
            if week == 2:
                failing = digest(env, slot + timedelta(minutes=21), "status", "--json")
        status = digest(env, MONDAY + timedelta(weeks=3, minutes=30), "status", "--json")

    assert all("Traceback" not in r.stderr for r in runs), [r.stderr for r in runs]
    assert set(editions(engine).values()) == {"sent"} and len(editions(engine)) == 4
    # Nobody missed, nobody twice: each reader got each of the four editions once.
    assert {r: len(to(box, r)) for r in readers} == {r: 4 for r in readers}

    office = [m["Subject"] for m in to(box, OFFICE)]
    about = [s for s in office if url in str(s) or "source" in str(s)]
    assert len(about) == 2, office  # one alert when the third run failed, one note when it recovered
    alert, note = to(box, OFFICE)
    assert "failed 3 runs in a row" in text_of(alert) and "HTTP 503" in text_of(alert)
    assert "Resolved" in text_of(note) and url in text_of(note)

    data = json.loads(failing.stdout)
    assert failing.returncode == 1 and data["ok"] is False  # told while it lasts
    [row] = [s for s in data["sources"] if s["source"] == url]
    assert row["state"].startswith("failing (3") and row["error_kind"] == "HTTP 503"
    assert row["last_ok"] == "never"
    after = json.loads(status.stdout)
    assert status.returncode == 0 and after["ok"] is True, status.stdout  # the alert is resolved
    [row] = [s for s in after["sources"] if s["source"] == url]
    assert row["state"] == "ok" and row["error_kind"] == "" and row["last_ok"].startswith("2026-06-22")

    receipts = to(box, REPORTS)
    assert len(receipts) == 4  # one per edition, though the watchdog looked again each week
    texts = [text_of(m) for m in receipts]
    assert all("Sent to: 3" in t for t in texts)
    assert all(url in t for t in texts[:3]) and url not in texts[3]
    assert "Sources that could not be read: none" in texts[3]


def test_each_failing_sources_alert_closes_when_that_source_recovers(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]

    feeds = [f"https://news{n}.example.org/feed.xml" for n in range(3)]
    settings = make_settings(DIGEST_SOURCES=",".join(feeds), DIGEST_SOURCE_ALERT_FAILURES="2")
    engine = open_store(settings.db_url)

    def week(n: int, down: set[str]) -> dict[str, bool]:
        """One run at week ``n`` with the ``down`` feeds failing: each feed's alert, resolved or not."""
        at = MONDAY + timedelta(weeks=n)
        checks = [
            SourceCheck(f, "HTTP 503", "HTTP 503") if f in down else SourceCheck(f, items=1) for f in feeds
        ]
        record_checks(engine, checks, at)
        watch_sources(settings, engine, at)
        data = collect(settings, engine, at, 50)
        raised = [e for e in data["alerts"] if e["kind"] == "source-failing"]
        return {f: e["resolved"] for f in feeds for e in raised if f in e["message"]}

    week(0, set(feeds))
    assert week(1, set(feeds)) == dict.fromkeys(feeds, False)
    # One recovers: its alert closes; the two still failing stay open.
    assert week(2, {feeds[1], feeds[2]}) == {feeds[0]: True, feeds[1]: False, feeds[2]: False}
    assert week(3, {feeds[1]}) == {feeds[0]: True, feeds[1]: False, feeds[2]: True}
    assert collect(settings, engine, MONDAY + timedelta(weeks=3), 50)["ok"] is False
    assert week(4, set()) == dict.fromkeys(feeds, True)
    assert collect(settings, engine, MONDAY + timedelta(weeks=4), 50)["ok"] is True
