"""Volunteers' accounts (``users``) and the audit log (``audit_log``): who may do what, and who did.

Roles are kept as written (:mod:`digest.accounts` says what each may do); the audit log is
append-only here: nothing in digest edits or deletes an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, select, update

from digest.store import schema_web
from digest.store.admin_sessions import close_account
from digest.store.rows import insert_ignore


@dataclass(frozen=True)
class User:
    email: str
    role: str
    has_password: bool
    created_at: datetime


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


def save_user(engine: Engine, email: str, role: str, now: datetime, actor: str) -> str:
    """Add ``email`` with ``role``, or change its role; "added", "changed" or "" (as it was).
    The change is in the audit log, in the same transaction."""
    u = schema_web.users
    with engine.begin() as conn:
        if insert_ignore(conn, u, [{"email": email, "role": role, "password": "", "created_at": now}]):
            done = "added"
        else:
            changed = conn.execute(update(u).where(u.c.email == email, u.c.role != role).values(role=role))
            done = "changed" if changed.rowcount else ""
        if done:
            _record(conn, now, actor, f"user {done}", email, f"role {role}")
    return done


def remove_user(engine: Engine, email: str, now: datetime, actor: str) -> bool:
    u = schema_web.users
    with engine.begin() as conn:
        gone = bool(conn.execute(delete(u).where(u.c.email == email)).rowcount)
        if gone:
            close_account(conn, email)  # their log-ins end now, not at their next look
            _record(conn, now, actor, "user removed", email, "")
    return gone


def set_password(engine: Engine, email: str, password_hash: str, now: datetime, actor: str) -> bool:
    """Set (or, with '', clear) the personal password of ``email``; its log-ins so far end."""
    u = schema_web.users
    with engine.begin() as conn:
        changed = conn.execute(update(u).where(u.c.email == email).values(password=password_hash))
        found = bool(changed.rowcount)
        if found:
            close_account(conn, email)
            _record(conn, now, actor, "password set" if password_hash else "password removed", email, "")
    return found


def users(engine: Engine) -> list[User]:
    u = schema_web.users
    with engine.connect() as conn:
        rows = conn.execute(select(u).order_by(u.c.email)).all()
    return [User(r.email, r.role, bool(r.password), r.created_at) for r in rows]


def any_users(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(schema_web.users.c.email).limit(1)) is not None


def user_row(engine: Engine, email: str) -> tuple[str, str] | None:
    """(role, password hash) of ``email``; None when it has no account."""
    u = schema_web.users
    with engine.connect() as conn:
        row = conn.execute(select(u.c.role, u.c.password).where(u.c.email == email)).first()
    return None if row is None else (str(row.role), str(row.password))


def record(
    engine: Engine, now: datetime, actor: str, action: str, subject: str = "", detail: str = ""
) -> None:
    """One entry in the audit log: ``actor`` did ``action`` to ``subject``."""
    with engine.begin() as conn:
        _record(conn, now, actor, action, subject, detail)


def _record(conn: Connection, now: datetime, actor: str, action: str, subject: str, detail: str) -> None:
    values = {"actor": actor[:320], "action": action[:32], "subject": subject[:320], "detail": detail[:1000]}
    conn.execute(schema_web.audit_log.insert().values(at=now, **values))


def entries(engine: Engine, limit: int = 200) -> list[Entry]:
    """The newest ``limit`` entries of the audit log, newest first."""
    a = schema_web.audit_log
    with engine.connect() as conn:
        rows = conn.execute(select(a).order_by(a.c.id.desc()).limit(limit)).all()
    return [Entry(r.at, r.actor, r.action, r.subject, r.detail) for r in rows]
