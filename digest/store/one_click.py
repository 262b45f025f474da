"""The one-click unsubscribe (RFC 8058): the busiest write of `digest serve`, in one statement.

A whole list may press the button within minutes of a send, and mailbox providers send the
POST themselves, so this path is kept to the least work: the link's id names the address
inside the UPDATE, which commits by itself (no BEGIN and COMMIT around it), on the pool's
driver connection (SQLAlchemy's statement machinery cost as much CPU as the rest of the
request's database work). SQLite then holds its write lock only while the statement runs,
never while the thread waits for the interpreter between statements; PostgreSQL answers in
one round trip. It changes what :func:`digest.store.signups.unsubscribe` changes: an address
that left already keeps the time it first left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from digest.store import schema

_ONE_CLICK = (
    "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = {now} "
    "WHERE email = (SELECT email FROM link_refs WHERE ref = {ref}) AND status <> 'unsubscribed' "
    "RETURNING email, language"
)
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


def unsubscribe_ref(engine: Engine, ref: str, now: datetime) -> Left | None:
    """Unsubscribe the address whose link id is ``ref``; None when no address has that id."""
    try:
        return _one_click(engine, ref, now)
    except _Lost:
        # Start from new connections: the others were lost with it. If the statement did
        # commit, the second run changes nothing and reads who it was, so once more is safe.
        engine.dispose()
    return _one_click(engine, ref, now)


def _one_click(engine: Engine, ref: str, now: datetime) -> Left | None:
    sqlite = engine.dialect.name == "sqlite"
    mark = ":{}" if sqlite else "%({})s"  # the drivers' named parameters
    stamp = schema.subscribers.c.unsubscribed_at.type.bind_processor(engine.dialect)
    values = {"ref": ref, "now": stamp(now) if stamp else now}
    raw = engine.raw_connection()
    driver: Any = raw.driver_connection
    try:
        if not sqlite:  # SQLite's connections run without implicit transactions already (db.py)
            driver.autocommit = True
        changed = _rows(raw, _ONE_CLICK.format(now=mark.format("now"), ref=mark.format("ref")), values)
        found = changed or _rows(raw, _WHO.format(ref=mark.format("ref")), {"ref": ref})
        if not sqlite:
            driver.autocommit = False  # as the pool hands connections out
    except engine.dialect.loaded_dbapi.Error as exc:
        lost = engine.dialect.is_disconnect(exc, driver, None)
        raw.invalidate(exc)  # never handed out again in a state nobody knows
        if lost:
            raise _Lost from exc
        raise
    finally:
        raw.close()
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
