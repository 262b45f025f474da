"""What building an edition reads and records (digest/store/seen.py), as plain SQL both drivers run:
the same answers through sqlite3 as through the engine on SQLite and PostgreSQL, the articles seen
stored exactly as SQLAlchemy's own insert stored them, and `digest sources` on a current database
reading and recording them without importing SQLAlchemy (issue 24)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from digest.store import Engine, open_store, schema
from digest.store.ledger import Ledger
from digest.store.quick import SqliteReader, on_engine, open_reader
from digest.store.rows import insert_ignore
from digest.store.seen import ArticleBook
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.paths import SAMPLE

SEEN = datetime(2027, 1, 2, 8, 30, 0, 123456, tzinfo=UTC)
REHEARSAL = "email:outbox"  # the channel the rehearsal went to (any channel named as uncounted)


def _article(ident: str, seen: datetime, published: datetime | None = None) -> dict[str, Any]:
    return {"ident": ident, "title": f"T {ident}", "url": f"https://example.org/{ident}", "source": "feed",
            "published_at": published, "first_seen_at": seen, "image": "", "image_alt": ""}


def _fill(engine: Engine) -> None:
    """Three articles; W01 sent with a1, W02 sent only to the rehearsal channel with a2 (a3 merged
    into it), W03 still building."""
    with engine.begin() as conn:
        insert_ignore(conn, schema.articles, [
            _article("a1", SEEN), _article("a2", SEEN + timedelta(days=1)), _article("a3", SEEN),
        ])
    ledger = Ledger(engine)
    for n, (items, merged, channel) in enumerate(
        [([("a1", "one")], [], "email:smtp"), ([("a2", "two")], [("a3", "a2")], REHEARSAL)], 1
    ):
        key = f"weekly:2027-W0{n}"
        ledger.ensure_edition(key, datetime(2027, 1, 4 + 7 * (n - 1), 9, tzinfo=UTC))
        ledger.freeze_edition(key, f"S{n}", "<p>h</p>", "t", items, merged=merged)
        ledger.add_deliveries(key, channel, [("a@example.org", None)])
        ledger.set_status(key, "sent", now=SEEN)
    ledger.ensure_edition("weekly:2027-W03", datetime(2027, 1, 18, 9, tzinfo=UTC))


def _answers(book: ArticleBook) -> dict[str, Any]:
    keys = ["weekly:2027-W01", "weekly:2027-W02", "weekly:2027-W03"]
    return {
        "edition": book.edition("weekly:2027-W01"),
        "none": book.edition("weekly:1999-W01"),
        "last": book.last_sent_edition(),
        "last counted": book.last_sent_edition([REHEARSAL]),
        "taken": book.taken_article_idents(),
        "taken counted": book.taken_article_idents([REHEARSAL]),
        "stories": sorted(book.sent_stories()),
        "stories counted": book.sent_stories([REHEARSAL]),
        "rehearsals": book.rehearsals([REHEARSAL], keys),
        "first read": book.first_read(),
        "first seen": book.first_seen(["a2", "a1", "nope"]),
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def filled(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = request.getfixturevalue("pg_url") if request.param != "sqlite" else f"sqlite:///{tmp_path / 'db'}"
    engine = open_store(url)
    _fill(engine)
    yield url, engine
    engine.dispose()


def test_the_same_answers_through_either_driver(filled) -> None:  # type: ignore[no-untyped-def]
    url, engine = filled
    through_engine = _answers(Ledger(engine))
    assert through_engine["edition"].subject == "S1" and through_engine["edition"].status == "sent"
    assert through_engine["edition"].slot_utc == datetime(2027, 1, 4, 9, tzinfo=UTC)
    assert through_engine["none"] is None
    assert through_engine["last"].key == "weekly:2027-W02"
    assert through_engine["last counted"].key == "weekly:2027-W01"
    assert through_engine["taken"] == {"a1", "a2", "a3"}
    assert through_engine["taken counted"] == {"a1"}
    assert through_engine["stories"] == [
        ("T a1", "one", "weekly:2027-W01"), ("T a2", "two", "weekly:2027-W02"),
    ]
    assert through_engine["stories counted"] == [("T a1", "one", "weekly:2027-W01")]
    assert through_engine["rehearsals"] == {"weekly:2027-W02"}
    assert through_engine["first read"] == SEEN
    assert through_engine["first seen"] == {"a1": SEEN, "a2": SEEN + timedelta(days=1)}
    if url.startswith("sqlite:///"):
        reader = open_reader(url, fallback=lambda: pytest.fail("a current database needs none"), writes=True)
        assert isinstance(reader, SqliteReader)
        try:
            assert _answers(ArticleBook(reader)) == through_engine
        finally:
            reader.close()


def test_articles_seen_are_stored_as_sqlalchemy_stored_them(filled) -> None:  # type: ignore[no-untyped-def]
    """Written through sqlite3 (SQLite) or plain SQL on the engine: the same stored values as the
    typed insert, a whole second included, but for a date with an offset: SQLite keeps its instant
    in UTC as PostgreSQL does (the typed insert dropped the offset, keeping the wall clock: 07:00
    at +09:00 read back as 07:00 UTC). One seen before keeps its first date."""
    url, engine = filled
    moments = [SEEN, datetime(2027, 1, 3, 7, tzinfo=timezone(timedelta(hours=9))), None]
    rows = [_article(f"{n}", SEEN, published) for n, published in enumerate(moments)]
    with engine.begin() as conn:
        insert_ignore(conn, schema.articles, [{**r, "ident": f"core:{r['ident']}"} for r in rows])
    reader = open_reader(url, fallback=lambda: engine, writes=True)
    book = ArticleBook(reader)
    assert isinstance(reader, SqliteReader) == url.startswith("sqlite:///")
    book.remember_articles([{**r, "ident": f"book:{r['ident']}"} for r in rows])
    book.remember_articles([{**rows[0], "ident": "book:0", "first_seen_at": SEEN + timedelta(days=3)}])
    stored: dict[str, dict[str, tuple[Any, ...]]] = {"core": {}, "book": {}}
    for ident, *rest in on_engine(engine).rows("SELECT * FROM articles WHERE ident LIKE '%:%'"):
        way, n = ident.split(":")
        stored[way][n] = tuple(rest)
    reader.close()
    if url.startswith("sqlite:///"):
        assert stored["core"]["1"][3] == "2027-01-03 07:00:00.000000"  # the wall clock, offset lost
        assert stored["book"]["1"][3] == "2027-01-02 22:00:00.000000"  # the same instant in UTC
        stored["core"]["1"] = stored["book"]["1"]
    assert stored["book"] == stored["core"] and len(stored["core"]) == 3
    assert Ledger(engine).first_seen(["book:0", "book:1"]) == {"book:0": SEEN, "book:1": SEEN}


def _sources(data: Path, *args: str) -> tuple[list[str], bool]:
    """`digest sources` in a fresh interpreter: its output and whether SQLAlchemy was imported."""
    code = (
        "import sys\nfrom digest.cli import main\ntry:\n    code = main(sys.argv[1:])\nfinally:\n"
        "    print('sqlalchemy' in sys.modules)\nsys.exit(code)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_DATA_DIR=str(data), DIGEST_SOURCES=str(SAMPLE))
    env["DIGEST_TEST_NOW"] = "2027-01-04T02:10:00+00:00"
    done = subprocess.run([sys.executable, "-c", code, "sources", *args], cwd=data.parent, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return lines[:-1], lines[-1] == "True"


def test_sources_reads_and_records_without_sqlalchemy(tmp_path: Path) -> None:
    data = tmp_path / "var"
    first, loaded = _sources(data, "--json")  # no database yet: made through the engine
    assert loaded and json.loads("\n".join(first))["articles"]
    db = sqlite3.connect(data / "digest.db")
    recorded = db.execute("SELECT * FROM articles ORDER BY ident").fetchall()
    assert recorded
    with db:
        db.execute("DELETE FROM articles")  # read again, they are recorded again: through sqlite3
    again, loaded = _sources(data, "--json")
    assert not loaded
    assert again == first
    assert db.execute("SELECT * FROM articles ORDER BY ident").fetchall() == recorded
    text, loaded = _sources(data)
    assert not loaded and "Evening English classes" in "\n".join(text)
    db.close()
