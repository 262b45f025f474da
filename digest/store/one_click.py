"""The one-click unsubscribe (RFC 8058): the busiest write of `digest serve`, in one statement.

A whole list may press the button within minutes of a send, and mailbox providers send the
POST themselves, so this path is kept to the least work: the link's id names the address
inside the UPDATE, which commits by itself (no BEGIN and COMMIT around it), on a driver
connection each thread keeps (SQLAlchemy's statement machinery cost as much CPU as the rest
of the request's database work; the pool's checkout and return added locks and events).
SQLite then holds its write lock only while the statement runs, never while the thread waits
for the interpreter between statements; PostgreSQL answers in one round trip. It changes what
:func:`digest.store.signups.unsubscribe` changes: an address that left already keeps the
time it first left.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from digest.store import schema

_ONE_CLICK = (
    "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = {now} "
    "WHERE email = (SELECT email FROM link_refs WHERE ref = {ref}) AND status <> 'unsubscribed'"
)
# PostgreSQL returns who left in the same round trip. SQLite commits a statement with RETURNING
# only once its rows are read, so the write lock would wait for this thread to get the
# interpreter back between the two steps, and the other threads' busy waits back off meanwhile;
# without it the UPDATE commits within its one step, and whose id it was is read after (WAL: a
# read takes no lock).
_RETURNING = " RETURNING email, language"
# Only when the statement changed nothing: whose id it is, and whether that address is listed.
_WHO = (
    "SELECT r.email, s.language, s.status FROM link_refs r "
    "LEFT JOIN subscribers s ON s.email = r.email WHERE r.ref = {ref}"
)


@dataclass(frozen=True)
class Left:
    """What a one-click unsubscribe did: the address its link names; ``known`` when it is on the
    list (its ``language`` then), False when the address is not (nothing to change)."""

    email: str
    language: str
    known: bool


class _Lost(Exception):
    """The database server went away under the statement (restarted, or the connection dropped)."""


class OneClick:
    """The one-click statement on a driver connection each thread keeps for it (`digest serve`'s
    threads are few and live as long as it does): no pool checkout and return per POST, the
    statements formatted once (one per app: :meth:`unsubscribe`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.local = threading.local()
        self.sqlite = engine.dialect.name == "sqlite"
        mark = ":{}" if self.sqlite else "%({})s"  # the drivers' named parameters
        self.sql = (
            _ONE_CLICK.format(now=mark.format("now"), ref=mark.format("ref"))
            + ("" if self.sqlite else _RETURNING),
            _WHO.format(ref=mark.format("ref")),
        )
        self.stamp = schema.subscribers.c.unsubscribed_at.type.bind_processor(engine.dialect)

    def unsubscribe(self, ref: str, now: datetime) -> Left | None:
        """Unsubscribe the address whose link id is ``ref``; None when no address has that id."""
        try:
            return self._run(ref, now)
        except _Lost:
            # Start from new connections: the others were lost with it. If the statement did
            # commit, the second run changes nothing and reads who it was, so once more is safe.
            self.engine.dispose()
        return self._run(ref, now)

    def _run(self, ref: str, now: datetime) -> Left | None:
        raw = self._connection()
        values = {"ref": ref, "now": self.stamp(now) if self.stamp else now}
        try:
            return _left(raw, self.sql, values)
        except self.engine.dialect.loaded_dbapi.Error as exc:
            self.local.raw = None
            lost = self.engine.dialect.is_disconnect(exc, raw.dbapi_connection, None)
            with contextlib.suppress(Exception):
                raw.close()  # never used again in a state nobody knows
            if lost:
                raise _Lost from exc
            raise

    def _connection(self) -> Any:
        """This thread's connection, taken from the pool and detached on first use."""
        raw = getattr(self.local, "raw", None)
        if raw is not None:
            return raw
        fresh: Any = self.engine.raw_connection()
        fresh.detach()  # this thread's own from now on: the pool neither counts nor resets it
        if not self.sqlite:  # SQLite's connections run without implicit transactions already
            fresh.dbapi_connection.autocommit = True
        self.local.raw = fresh
        return fresh


def _left(raw: Any, sql: tuple[str, str], values: dict[str, Any]) -> Left | None:
    """The one-click statement, then (when it returned nothing) whose id it is."""
    changed = _rows(raw, sql[0], values)
    found = changed or _rows(raw, sql[1], {"ref": values["ref"]})
    if changed:
        return Left(changed[0][0], changed[0][1] or "", True)
    if not found:
        return None
    email, language, status = found[0]
    return Left(email, language or "", status is not None)


def _rows(raw: Any, sql: str, values: dict[str, Any]) -> list[Any]:
    """Every row, read to the end: SQLite commits a statement that returns rows only then."""
    cursor = raw.cursor()
    try:
        cursor.execute(sql, values)
        return list(cursor.fetchall())
    finally:
        cursor.close()
