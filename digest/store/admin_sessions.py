"""Dashboard log-ins kept on the server (``admin_sessions``): a cookie alone never proves one.

The cookie carries a random id; the row holds its SHA-256 (a copy of the database gives no
usable cookie), the keyed hash of the password it was opened with, and when it began. Log-out
deletes the row; a new DIGEST_ADMIN_PASSWORD makes every row of the old one count for nothing
(and :func:`keep_only` clears them out at start-up); a row older than the log-in lifetime is void.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select

from digest.store import schema


def open_session(engine: Engine, id_hash: str, password: str, now: datetime, lifetime: timedelta) -> None:
    """Record a new log-in (and drop the expired ones on the way)."""
    a = schema.admin_sessions
    with engine.begin() as conn:
        conn.execute(delete(a).where(a.c.created_at < now - lifetime))
        conn.execute(a.insert().values(id_hash=id_hash, password=password, created_at=now))


def is_open(engine: Engine, id_hash: str, password: str, now: datetime, lifetime: timedelta) -> bool:
    """True when that log-in exists, was opened with the current password and has not expired."""
    a = schema.admin_sessions
    query = select(a.c.password, a.c.created_at).where(a.c.id_hash == id_hash)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.password != password:
        return False
    began = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=now.tzinfo)
    return bool(began > now - lifetime)


def close_session(engine: Engine, id_hash: str) -> None:
    a = schema.admin_sessions
    with engine.begin() as conn:
        conn.execute(delete(a).where(a.c.id_hash == id_hash))


def keep_only(engine: Engine, password: str) -> int:
    """Delete the log-ins opened under any other password; how many were deleted."""
    a = schema.admin_sessions
    with engine.begin() as conn:
        return max(conn.execute(delete(a).where(a.c.password != password)).rowcount, 0)
