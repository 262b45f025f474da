"""The everyday reads without SQLAlchemy (digest/store/quick.py): the same answers through sqlite3
as through the engine on SQLite and PostgreSQL, SQLAlchemy never imported by `subscribers count`,
`subscribers list` or `deliveries` on a current database, and every other database (none yet,
older, newer, damaged) still going through open_store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.store import Engine, open_store, schema, schema_web
from digest.store.ledger import Ledger
from digest.store.migrations import STEPS
from digest.store.quick import (
    SqliteReader,
    deliveries_on,
    event_counts,
    on_engine,
    open_reader,
    subscriber_counts,
    subscriber_rows,
)
from digest.store.rows import EMAIL, insert_ignore, now_utc
from digest.store.versions import SCHEMA_VERSIONS
from digest.types import SHOWN_EVENTS
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)

KEY = "weekly:2027-W01"


def test_the_version_list_is_the_migrations_list() -> None:
    assert tuple(sorted(STEPS)) == SCHEMA_VERSIONS


def _fill(engine: Engine) -> None:
    """Subscribers in four statuses, deliveries in three (one a batch), webhook events."""
    people = [
        ("b@example.org", "active"),
        ("a@example.org", "active"),
        ("c@example.org", "unsubscribed"),
        ("d@example.org", "bounced"),
        ("Z@example.org", "active"),
    ]
    with engine.begin() as conn:
        insert_ignore(
            conn,
            schema.subscribers,
            [
                {
                    "email": e,
                    "name": f"N {e[0]}",
                    "language": "ko" if e < "b" else "",
                    "status": s,
                    "created_at": now_utc(),
                }
                for e, s in people
            ],
        )
    ledger = Ledger(engine)
    ledger.ensure_edition(KEY, datetime(2027, 1, 4, 9, tzinfo=UTC))
    targets = [
        ("a@example.org", [["a@example.org", "N a", "ko"]]),
        ("batch-1", [["b@example.org", "", ""], ["z@example.org", "", "", "unsubscribed"]]),
        ("c@example.org", [["c@example.org", "", ""]]),
    ]
    ledger.add_deliveries(KEY, "email:smtp", targets)
    ledger.add_deliveries(KEY, "social:x", [("x", None)])
    with engine.begin() as conn:
        d = schema.deliveries
        conn.execute(d.update().where(d.c.target == "batch-1").values(status="unknown", attempts=2))
        conn.execute(
            d.update().where(d.c.target == "c@example.org").values(status="failed", last_error="550")
        )
        events = [
            ("e1", "delivered", "a@example.org", KEY),
            ("e2", "delivered", "a@example.org", KEY),
            ("e3", "bounced", "c@example.org", KEY),
            ("e4", "opened", "a@example.org", KEY),
            ("e5", "complained", "q@example.org", ""),
        ]
        conn.execute(
            schema_web.mail_events.insert(),
            [
                {
                    "event_id": i,
                    "provider": "smtp",
                    "kind": k,
                    "recipient": r,
                    "at": now_utc(),
                    "edition_key": e,
                }
                for i, k, r, e in events
            ],
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def filled(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = (
        f"sqlite:///{tmp_path / 'digest.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    engine = open_store(url)
    _fill(engine)
    yield url, engine
    engine.dispose()


def _answers(reader) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "counts": subscriber_counts(reader),
        "all": list(subscriber_rows(reader)),
        "active": list(subscriber_rows(reader, "active")),
        "email": [(r.target, r.status, r.attempts, r.last_error) for r in deliveries_on(reader, EMAIL)],
        "trouble": [r.target for r in deliveries_on(reader, EMAIL, KEY, ("unknown", "failed"))],
        "other edition": deliveries_on(reader, EMAIL, "weekly:1999-W01"),
        "events": event_counts(reader, SHOWN_EVENTS),
        "events of one": event_counts(reader, SHOWN_EVENTS, KEY),
    }


def test_the_same_answers_through_either_driver(filled) -> None:  # type: ignore[no-untyped-def]
    url, engine = filled
    through_engine = _answers(on_engine(engine))
    assert through_engine["counts"] == {"active": 3, "unsubscribed": 1, "bounced": 1}
    assert [r[0] for r in through_engine["active"]] == ["Z@example.org", "a@example.org", "b@example.org"]
    assert through_engine["email"] == [
        ("a@example.org", "pending", 0, ""),
        ("batch-1", "unknown", 2, ""),
        ("c@example.org", "failed", 0, "550"),
    ]
    assert through_engine["trouble"] == ["batch-1", "c@example.org"]
    assert through_engine["other edition"] == []
    assert through_engine["events"] == {
        KEY: {"delivered": 1, "bounced": 1, "complained": 0},
        "": {"delivered": 0, "bounced": 0, "complained": 1},
    }
    assert through_engine["events of one"] == {KEY: {"delivered": 1, "bounced": 1, "complained": 0}}
    if url.startswith("sqlite:///"):
        reader = open_reader(url, fallback=lambda: pytest.fail("a current database needs no engine"))
        assert isinstance(reader, SqliteReader)
        try:
            assert _answers(reader) == through_engine
        finally:
            reader.close()


def test_the_quick_reader_cannot_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    open_store(url).dispose()
    reader = open_reader(url, fallback=lambda: pytest.fail("not needed"))
    assert isinstance(reader, SqliteReader)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.conn.execute("DELETE FROM subscribers")
    reader.close()


def _digest(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    """A command in a fresh interpreter that prints, last, whether SQLAlchemy was imported."""
    code = (
        "import sys\nfrom digest.cli import main\ntry:\n    code = main(sys.argv[1:])\nfinally:\n"
        "    print('sqlalchemy' in sys.modules)\nsys.exit(code)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_DATA_DIR=str(data))
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=data.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [["subscribers", "count"], ["subscribers", "list"], ["deliveries"]])
def test_everyday_reads_leave_sqlalchemy_unloaded(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "var"
    first = _digest(args, data)  # no database yet: made through the engine, as before
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "True"
    assert (data / "digest.db").is_file()
    again = _digest(args, data)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "False"
    assert again.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]


def test_an_older_database_is_migrated_and_a_newer_one_refused(tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert _digest(["subscribers", "count"], data).returncode == 0
    db = sqlite3.connect(data / "digest.db")
    with db:
        db.execute("DELETE FROM schema_versions WHERE version = ?", (max(SCHEMA_VERSIONS),))
    older = _digest(["subscribers", "count"], data)
    assert older.returncode == 0, older.stderr
    assert older.stdout.splitlines() == ["0 subscribed, 0 unsubscribed", "True"]  # through the migrations
    assert max(v for (v,) in db.execute("SELECT version FROM schema_versions")) == max(SCHEMA_VERSIONS)
    with db:
        db.execute("INSERT INTO schema_versions (version, applied_at) VALUES (999, '2027-01-01 00:00:00')")
    db.close()
    newer = _digest(["subscribers", "count"], data)
    assert newer.returncode != 0
    assert "newer than this digest" in newer.stderr and "upgrade digest" in newer.stderr


def test_a_damaged_file_gets_the_stores_one_line(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    (data / "digest.db").write_bytes(b"this is not a database" * 100)
    done = _digest(["deliveries"], data)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("digest: error:") and "digest.db" in done.stderr


def test_a_data_folder_named_like_a_url_holds_the_database(tmp_path: Path) -> None:
    """A "?", "#" or "%20" in the folder's name is part of the name, for the engine and for sqlite3."""
    data = tmp_path / "club #1 50%20 off?x=y" / "var"
    data.parent.mkdir()
    listing = tmp_path / "list.csv"
    listing.write_text("email,name\nann@example.org,Ann\n", encoding="utf-8")
    imported = _digest(["subscribers", "import", str(listing)], data)
    assert imported.returncode == 0, imported.stderr
    assert "Warning" not in imported.stderr
    assert (data / "digest.db").is_file()
    counted = _digest(["subscribers", "count"], data)
    assert counted.stdout.splitlines() == ["1 subscribed, 0 unsubscribed", "False"]
