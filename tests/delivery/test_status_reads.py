"""`digest status` reads a current SQLite database with sqlite3, never importing SQLAlchemy
(digest/store/overview.py, watch.py, windows.py), and says exactly what it said through the
engine; the same statements give the same report on PostgreSQL.

The history covers every part of the report: a sent edition with failed, unknown and doubtful
deliveries and social posts (errors in code point order, whatever the collation), a rehearsal, an
unfinished edition paused with sends under way and approvers asked, events, alerts resolved and
not, a scheduler instance and two sources' health.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.status import collect
from digest.store import Engine, open_store, schema
from digest.store.approvals import add_request, record
from digest.store.ledger import Ledger
from digest.store.quick import SqliteReader, open_reader
from digest.store.scheduler import insert_alert, record_heartbeat, resolve_alerts
from digest.store.source_health import SourceCheck, record_checks
from tests.delivery.test_quick_reads import _digest
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)

NOW = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)
SENT, REHEARSED, OPEN = "weekly:2027-W01", "weekly:2027-W02", "weekly:2027-W03"
FEEDS = ("https://a.example/feed.xml", "https://b.example/feed.xml")


def _set(engine: Engine, key: str, target: str, **values: Any) -> None:
    d = schema.deliveries
    with engine.begin() as conn:
        conn.execute(d.update().where(d.c.edition_key == key, d.c.target == target).values(**values))


def _fill(engine: Engine) -> None:
    ledger = Ledger(engine)
    for n, key in enumerate((SENT, REHEARSED, OPEN)):
        ledger.ensure_edition(key, datetime(2027, 1, 4, 9, tzinfo=UTC) + timedelta(weeks=n))
    with engine.begin() as conn:
        e = schema.editions
        conn.execute(e.update().where(e.c.key == SENT).values(status="sent", sent_at=NOW - timedelta(days=9)))
        conn.execute(e.update().where(e.c.key != SENT).values(status="ready", content_sha256="ab" * 32))
    people = [(f"{c}@example.org", [[f"{c}@example.org", "", ""]]) for c in "abcde"]
    ledger.add_deliveries(
        SENT, "email:smtp", [*people, ("batch", [["f@x.org", "", ""], ["g@x.org", "", "", "bounced"]])]
    )
    ledger.add_deliveries(SENT, "social:x", [("x", None)])
    ledger.add_deliveries(SENT, "social:mastodon", [("m", None)])
    for target, values in {
        "a@example.org": {"status": "sent"},
        "b@example.org": {"status": "failed", "last_error": "Zebra refused"},
        "c@example.org": {"status": "failed", "last_error": "\u00e4rger: 550"},
        "d@example.org": {"status": "unknown", "last_error": "apple: no answer"},
        "e@example.org": {"status": "sent", "doubts": 1},
        "batch": {"status": "sent"},
        "x": {"status": "sent"},
        "m": {"status": "failed", "last_error": "toot refused"},
    }.items():
        _set(engine, SENT, target, **values)
    ledger.add_deliveries(REHEARSED, "email:outbox", people[:2])
    ledger.add_deliveries(OPEN, "email:outbox", people)
    start = NOW.timestamp() - 600
    for n, target in enumerate(("a@example.org", "b@example.org")):
        _set(engine, OPEN, target, status="sent", handed_at=start + 60 * n)
    ledger.pause(OPEN, "volunteer@example.org")
    add_request(engine, "t1", OPEN, "ab" * 32, "Board@example.org", NOW)
    add_request(engine, "t2", OPEN, "ab" * 32, "chair@example.org", NOW)
    record(engine, OPEN, "ab" * 32, "chair@example.org", "hold", NOW)
    ledger.event("error", "send-failed", "the server refused the login", SENT)
    ledger.event("warning", "source skipped", "b.example: 503", OPEN)
    insert_alert(engine, "a1", "send-failed", SENT, "the server refused the login", NOW)
    insert_alert(engine, "a2", "source-failing", "", "b.example failing", NOW - timedelta(hours=1))
    resolve_alerts(engine, NOW, "went out", edition_key=SENT)
    record_heartbeat(
        engine, "host-1", "daemon", NOW - timedelta(hours=1), NOW - timedelta(minutes=5), "ok", stopped=False
    )
    checks = [
        SourceCheck(FEEDS[0], items=3, newest=NOW - timedelta(days=2)),
        SourceCheck(FEEDS[1], "503", "http"),
    ]
    record_checks(engine, checks, NOW - timedelta(days=1))


def _steady(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the moments the ledger stamps with the wall clock (events, pauses)."""
    for ev in report["events"]:
        ev["at"] = "-"
    for e in report["editions"]:
        if e["paused"]:
            e["paused"]["at"] = "-"
    return report


@pytest.fixture
def settings(make_settings):  # type: ignore[no-untyped-def]
    return make_settings(DIGEST_SOURCES=",".join(FEEDS))


def test_status_says_the_same_through_sqlite3_the_engine_and_postgresql(
    settings,
    tmp_path: Path,
    pg_url: str,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    engine = open_store(url)
    _fill(engine)
    through_engine = collect(settings, engine, NOW, 10)
    reader = open_reader(url, fallback=lambda: pytest.fail("a current database needs no engine"))
    assert isinstance(reader, SqliteReader)
    try:
        assert collect(settings, reader, NOW, 10) == through_engine
    finally:
        reader.close()
        engine.dispose()

    by_key = {e["key"]: e for e in through_engine["editions"]}
    sent, rehearsed, unfinished = by_key[SENT], by_key[REHEARSED], by_key[OPEN]
    assert [e["key"] for e in through_engine["editions"]] == [OPEN, REHEARSED, SENT]
    assert sent["errors"] == ["Zebra refused", "apple: no answer", "\u00e4rger: 550"]  # code point order
    assert sent["social_errors"] == ["toot refused"]
    assert sent["recipients"] == {"failed": 2, "sent": 3, "skipped": 1, "unknown": 1}
    assert sent["social"] == {"failed": 1, "sent": 1}
    assert sent["possible_duplicates"] == ["e@example.org"]
    assert (sent["rehearsal"], rehearsed["rehearsal"]) == (False, True)
    assert unfinished["approval"] == "held by chair@example.org"
    assert unfinished["paused"]["by"] == "volunteer@example.org"
    assert unfinished["progress"]["sent"] == 2 and unfinished["progress"]["total"] == 5
    assert [a["resolved"] for a in through_engine["alerts"]] == [False, True]
    assert [s["state"] for s in through_engine["sources"]] == ["ok", "failing (1 run(s) in a row)"]
    assert [i["instance"] for i in through_engine["scheduler"]["instances"]] == ["host-1"]
    assert {a["resolved_at"] != "" for a in through_engine["scheduler"]["alerts"]} == {True, False}

    pg = open_store(pg_url)
    try:
        _fill(pg)
        on_postgresql = collect(settings, pg, NOW, 10)
    finally:
        pg.dispose()
    # The alerts' raised_at is shown as stored: naive on SQLite, with its offset on PostgreSQL.
    for report in (on_postgresql, through_engine):
        for alert in report["scheduler"]["alerts"]:
            alert["raised_at"] = alert["raised_at"].removesuffix("+00:00")
    assert _steady(on_postgresql) == _steady(through_engine)


def test_status_leaves_sqlalchemy_unloaded_and_reads_an_older_database_through_the_engine(
    tmp_path: Path,
) -> None:
    data = tmp_path / "var"
    first = _digest(["status"], data)  # no database yet: made through the engine, as before
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "True"
    again = _digest(["status", "--json"], data)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "False"
    db = sqlite3.connect(data / "digest.db")
    with db:
        db.execute("DELETE FROM schema_versions WHERE version = (SELECT MAX(version) FROM schema_versions)")
    db.close()
    older = _digest(["status"], data)
    assert older.returncode == 0, older.stderr
    assert older.stdout.splitlines()[-1] == "True"  # migrated by open_store first
    assert older.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]
