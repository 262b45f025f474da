"""Open the database: SQLite under the data folder, or PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError

from digest.config.checks import sqlite_file
from digest.store.faults import describe
from digest.store.migrations import migrate

# Connections kept open: digest serve's threads (DIGEST_SERVE_THREADS, at most 64) each hold one,
# so none is closed and opened again on every request; other commands open one or two.
POOL, OVERFLOW = 64, 8
IDLE_PING = 10.0  # seconds: a connection unused for longer is checked before it is handed out


def engine_for(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so two processes can share it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        if (path := sqlite_file(url)) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, pool_size=POOL, max_overflow=OVERFLOW)
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLAlchemy's default pysqlite transaction handling starts transactions
        # lazily; BEGIN IMMEDIATE takes the write lock up front so a claim never
        # upgrades from reader to writer and deadlocks.
        event.listen(engine, "begin", _begin)
        return engine
    engine = create_engine(url, pool_size=POOL, max_overflow=OVERFLOW)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a connection that waited in the pool over IDLE_PING seconds before handing it out.

    Where pre-ping costs every checkout a round trip, this asks only when the server may have
    gone away unnoticed (restarted, or dropped the idle connection); a failed ping swaps the
    connection for a new one. A server lost mid-burst fails the statement instead, and the
    pool drops every older connection (the one-click path then tries once more).
    """

    def checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the database closed this connection; taking a new one") from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def _begin(conn: Connection) -> None:
    # A read (see reading) needs no write lock: in WAL mode a reader never waits for the writer,
    # nor holds it up, and a deferred BEGIN keeps its statements on one snapshot all the same.
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


READ_ONLY = "digest_read_only"


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only: on SQLite its transaction takes no write lock (the send
    path's checks before each call would otherwise queue behind the ledger writer)."""
    with engine.connect() as conn:
        yield conn.execution_options(**{READ_ONLY: True})


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see engine_for)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A statement that may have to undo part of itself (one that fires the kept counts' triggers,
    # digest/store/kept_counts.py) keeps a journal of its own; in a file, that cost every
    # delivery recorded three times as much (a send's snapshot of 10,000: 0.28 s of CPU against
    # 0.12 without the triggers). In memory it costs the triggers' own work only.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _private_database(path: Path) -> None:
    """The database holds addresses and platform sessions: 0600, with its WAL and shared-memory files."""
    from digest.files import make_private

    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private(path.with_name(path.name + suffix))


def open_store(url: str) -> Engine:
    """Connect and bring the schema up to date. Raises StoreError with a fix-it message."""
    try:
        engine = engine_for(url)
        migrate(engine)
        if (path := sqlite_file(url)) is not None:
            _private_database(path)
    except DBAPIError as exc:
        # Any driver fault (damaged file, read-only, unreachable server) is one line saying what to do.
        raise describe(exc) from None
    return engine
