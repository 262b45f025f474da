"""Rows-inserted counts are true on both dialects: an import says how many addresses it added,
and an address already on the list is not counted again (insert_ignore's rowcount on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from digest.store import open_store, schema
from digest.store.subscribers import insert_new
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)


def _rows(*addresses: str) -> list[dict[str, str]]:
    return [{"email": a, "name": "", "language": ""} for a in addresses]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'digest.db'}"
    return str(request.getfixturevalue("pg_url"))


def test_added_counts_only_new_addresses(db_url: str) -> None:
    engine = open_store(db_url)
    try:
        assert insert_new(engine, _rows("a@example.org", "b@example.org", "c@example.org")) == 3
        assert insert_new(engine, _rows("b@example.org", "d@example.org")) == 1
        assert insert_new(engine, _rows("a@example.org")) == 0
        assert insert_new(engine, _rows("e@example.org")) == 1
    finally:
        engine.dispose()


def _deliveries(n: int) -> list[dict[str, object]]:
    from digest.store.rows import delivery_rows

    targets = [(f"to:r{i}@example.org", [[f"r{i}@example.org", "R", ""]]) for i in range(n)]
    return delivery_rows("weekly:2027-W01", "email:smtp", targets)


def _with_edition(engine: Engine) -> None:
    from digest.store.ledger import Ledger

    Ledger(engine).ensure_edition("weekly:2027-W01", datetime(2027, 1, 4, 9, tzinfo=UTC))


def test_the_bulk_insert_stores_what_sqlalchemys_does(tmp_path: Path) -> None:
    """The SQLite insert without SQLAlchemy's work per row (store/bulk.py) leaves the very rows
    SQLAlchemy's own insert leaves: its defaults filled in, the timestamp in its text form."""
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from digest.store.bulk import insert_or_skip

    rows, d = _deliveries(50), schema.deliveries
    stored = []
    for name, insert in (
        ("ours", lambda conn: insert_or_skip(conn, d, rows)),
        ("theirs", lambda conn: conn.execute(sqlite_insert(d).on_conflict_do_nothing(), rows).rowcount),
    ):
        engine = open_store(f"sqlite:///{tmp_path / name}.db")
        _with_edition(engine)
        with engine.begin() as conn:
            assert insert(conn) == 50
        with engine.begin() as conn:
            assert insert(conn) == 0  # all there already: skipped, not counted
        with engine.connect() as conn:
            stored.append(conn.exec_driver_sql("SELECT * FROM deliveries ORDER BY id").all())
        engine.dispose()
    assert len(stored[0]) == 50 and stored[0] == stored[1]


def test_a_snapshot_inserts_its_rows_without_work_per_row(tmp_path: Path) -> None:
    """Recording a send's 3,000 deliveries and the list's link ids goes to SQLite as plain
    executemany statements (SQLAlchemy's per-row parameter building cost a fifth of a second
    for 10,000 recipients before the first call)."""
    from sqlalchemy import event

    from digest.store.ledger import Ledger
    from digest.store.link_refs import make_refs_for_the_list
    from tests.delivery.conftest import add_subscribers

    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    add_subscribers(engine, 3_000)
    _with_edition(engine)
    Ledger(engine).set_status("weekly:2027-W01", "ready", "frozen")
    inserts: list[tuple[str, bool]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT"):
            inserts.append((statement.split("(")[0], context.compiled is None))

    assert make_refs_for_the_list(engine) == 3_000
    assert Ledger(engine).snapshot("weekly:2027-W01", "email:smtp", _targets) == 3_000
    assert inserts and all(plain for _, plain in inserts), inserts
    assert {name.strip() for name, _ in inserts} == {"INSERT INTO link_refs", "INSERT INTO deliveries"}
    engine.dispose()


def _targets(conn: Connection) -> Iterator[tuple[str, list[list[str]]]]:
    from digest.store.subscribers import iter_active

    for r in iter_active(conn):
        yield f"to:{r.email}", [[r.email, r.name, r.language]]
