"""Everyday reads without SQLAlchemy: the standard library's driver on a current SQLite file.

Importing SQLAlchemy and its SQLite dialect takes longer than starting Python and importing
requests (about 1.3x of `python -c "import requests"` here); for `digest subscribers count`
that was most of its start-up. A command that only reads opens the database with
:func:`open_reader`: a SQLite database that exists and whose schema is current is read with
:mod:`sqlite3` (read-only); anything else (PostgreSQL, no database yet, an older or newer
schema) goes through the engine (:func:`~digest.store.db.open_store`), which creates, migrates or refuses
it as every command does, and the statements run there through SQLAlchemy.

The statements below are plain SQL that both run unchanged (named ``:parameters``, no
dialect's own syntax), so each read is written once; :mod:`digest.store.subscribers` and
the dashboard run the same ones on an engine (:func:`on_engine`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, cast

from digest.config.checks import sqlite_file
from digest.store.rows import DeliveryRow
from digest.store.versions import SCHEMA_VERSIONS

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Reader(Protocol):
    dialect: str  # "sqlite" or "postgresql": the few reads that differ (a collation, floor) ask

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        """The rows of one statement, streamed."""
        ...

    def write(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run one statement once per row, all in one transaction (a reader opened to write)."""
        ...

    def close(self) -> None: ...


Reads: TypeAlias = "Engine | Reader"  # what a read takes: an open reader, or an engine


class SqliteReader:
    """One :mod:`sqlite3` connection that cannot write (``query_only``) unless opened to."""

    dialect = "sqlite"

    def __init__(self, path: Path, *, writes: bool = False) -> None:
        import sqlite3
        from urllib.parse import quote

        # A URI with the path quoted into it. mode=rw never creates a file (open_reader checked it
        # exists); a read-only open could not make the shared-memory file WAL readers need.
        # isolation_level None: no transaction is begun behind our back; write() takes the lock
        # up front (BEGIN IMMEDIATE) as the engine does, and waits for it up to the same 30 s.
        self.conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=30,
                                    isolation_level=None)
        self.conn.execute("PRAGMA foreign_keys=ON" if writes else "PRAGMA query_only=ON")
        self.conn.execute("PRAGMA temp_store=MEMORY")  # as the engine's (digest/store/db.py)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        yield from self.conn.execute(sql, dict(params or {}))

    def write(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(sql, [dict(row) for row in rows])
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def versions(self) -> set[int]:
        found = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'"
        ).fetchone()
        if found is None:
            return set()
        return {int(v) for (v,) in self.conn.execute("SELECT version FROM schema_versions")}

    def close(self) -> None:
        self.conn.close()


class EngineReader:
    """The same statements through SQLAlchemy (PostgreSQL, or a database open_store just made)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            for row in conn.execute(text(sql), dict(params or {})):
                yield tuple(row)

    def write(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            conn.execute(text(sql), [dict(row) for row in rows])

    def close(self) -> None:
        pass  # the engine belongs to whoever opened it


def on_engine(engine: Engine) -> Reader:
    return EngineReader(engine)


def reader_of(source: Reads) -> Reader:
    """The reads below take a reader or an engine (the dashboard and the jobs hold one)."""
    if isinstance(source, SqliteReader | EngineReader):
        return source
    return EngineReader(cast("Engine", source))  # a Reader is one of the two above


def stamp(value: datetime | str | None) -> datetime | None:
    """A stored moment as an aware UTC datetime. Through SQLAlchemy's types SQLite hands back a
    naive datetime; through plain SQL its text (``2026-12-07 10:00:00.000000``); PostgreSQL an
    aware one. Everything digest stores is UTC."""
    if value is None:
        return None
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def iso(value: datetime | str | None) -> str:
    """A stored moment as ISO 8601 in UTC, with its offset ("" when there is none)."""
    found = stamp(value)
    return found.isoformat() if found else ""


def first_row(reader: Reader, sql: str, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of a statement (an aggregate's one row), None when it has none; the rest
    is read too, so the statement is finished before this returns."""
    return next(iter(list(reader.rows(sql, params))), None)


def value(reader: Reader, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    """The first column of a statement's first row (None when it has no row)."""
    return (first_row(reader, sql, params) or (None,))[0]


def open_reader(url: str, fallback: Callable[[], Engine], *, writes: bool = False) -> Reader:
    """A reader for the SQLite database at ``url``: sqlite3 when the file is there with every
    migration applied, else the engine ``fallback`` opens (which creates, migrates or refuses it).
    ``writes``: the sqlite3 connection may write (:meth:`Reader.write`)."""
    import sqlite3

    path = sqlite_file(url)
    if path is not None and path.is_file():
        quick: SqliteReader | None = None
        try:
            quick = SqliteReader(path, writes=writes)
            if quick.versions() == set(SCHEMA_VERSIONS):
                return quick
        except sqlite3.Error:  # damaged, locked or unreadable: open_store says what to do
            pass
        if quick is not None:
            quick.close()
    return on_engine(fallback())


# -- the reads --------------------------------------------------------------------------------
def subscriber_counts(reader: Reader) -> dict[str, int]:
    """status -> subscribers in it."""
    sql = "SELECT status, COUNT(*) FROM subscribers GROUP BY status"
    return {str(status): int(n) for status, n in reader.rows(sql)}


def subscriber_rows(reader: Reader, status: str | None = None) -> Iterator[tuple[Any, ...]]:
    """(email, name, language, status) in address order, of one status or all."""
    where = " WHERE status = :status" if status else ""
    sql = f"SELECT email, name, language, status FROM subscribers{where} ORDER BY email"
    yield from reader.rows(sql, {"status": status} if status else None)


def deliveries_on(
    reader: Reader, prefix: str, edition: str | None = None, statuses: Sequence[str] = ()
) -> list[DeliveryRow]:
    """Deliveries on channels starting with ``prefix``, in the order they were recorded."""
    columns = delivery_columns()
    where, params = ["channel LIKE :prefix"], {"prefix": prefix + "%"}
    if edition:
        where.append("edition_key = :edition")
        params["edition"] = edition
    if statuses:
        where.append(f"status IN ({listed(params, 'status', statuses)})")
    sql = f"SELECT {columns} FROM deliveries WHERE {' AND '.join(where)} ORDER BY id"
    return [DeliveryRow(*row) for row in reader.rows(sql, params)]


def event_counts(
    reader: Reader, kinds: Sequence[str], edition: str | None = None
) -> dict[str, dict[str, int]]:
    """Per edition (``""``: no delivery matched), how many addresses events of each of ``kinds`` named."""
    params: dict[str, Any] = {}
    where = f"kind IN ({listed(params, 'kind', kinds)})"
    if edition is not None:
        where += " AND edition_key = :edition"
        params["edition"] = edition
    sql = (
        "SELECT edition_key, kind, COUNT(DISTINCT recipient) FROM mail_events "
        f"WHERE {where} GROUP BY edition_key, kind"
    )
    out: dict[str, dict[str, int]] = {}
    for key, kind, n in reader.rows(sql, params):
        out.setdefault(str(key), dict.fromkeys(kinds, 0))[str(kind)] = int(n)
    return out


def delivery_columns() -> str:
    """The columns of a :class:`~digest.store.rows.DeliveryRow`, in its order."""
    return ", ".join(f.name for f in fields(DeliveryRow))


def listed(params: dict[str, Any], name: str, values: Sequence[str]) -> str:
    """Placeholders for ``values`` (an IN list), added to ``params``."""
    params.update({f"{name}{i}": value for i, value in enumerate(values)})
    return ", ".join(f":{name}{i}" for i in range(len(values)))
