"""Dashboard log-ins kept on the server (``admin_sessions``): a cookie alone never proves one.

The cookie carries a random id; the row holds its SHA-256 (a copy of the database gives no
usable cookie), whose log-in it is (a volunteer's email, or '' for the shared
DIGEST_ADMIN_PASSWORD), the keyed hash of the password it was opened with, and when it began.
Log-out deletes the row; a new DIGEST_ADMIN_PASSWORD makes every shared log-in of the old one
count for nothing (and :func:`keep_only` clears them out at start-up); a volunteer's log-in
counts only while their account exists, with the role the account has now; a row older than the
log-in lifetime is void.

Emailed sign-in links (``login_links``) live here too: only the SHA-256 of a link's token is
kept, and the one POST that spends it sets ``used_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, update

from digest.store import schema_web
from digest.store.rows import _aware

SHARED = ""  # the account of a log-in with the shared DIGEST_ADMIN_PASSWORD


@dataclass(frozen=True)
class Login:
    """A live log-in: whose it is ('' for the shared password) and the role it has now."""

    account: str
    role: str


def open_session(
    engine: Engine, id_hash: str, password: str, now: datetime, lifetime: timedelta, account: str = SHARED
) -> None:
    """Record a new log-in (and drop the expired ones on the way)."""
    a = schema_web.admin_sessions
    with engine.begin() as conn:
        conn.execute(delete(a).where(a.c.created_at < now - lifetime))
        conn.execute(a.insert().values(id_hash=id_hash, password=password, created_at=now, account=account))


def login_of(engine: Engine, id_hash: str, password: str, now: datetime, lifetime: timedelta) -> Login | None:
    """The log-in named by ``id_hash`` while it counts: not expired, and either opened with the
    current shared ``password`` or of an account that still exists (with that account's role)."""
    a, u = schema_web.admin_sessions, schema_web.users
    query = (
        select(a.c.password, a.c.created_at, a.c.account, u.c.role)
        .select_from(a.outerjoin(u, u.c.email == a.c.account))
        .where(a.c.id_hash == id_hash)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or (_aware(row.created_at) or now) <= now - lifetime:
        return None
    if row.account == SHARED:
        return Login(SHARED, "admin") if password and row.password == password else None
    return Login(str(row.account), str(row.role)) if row.role else None


def close_session(engine: Engine, id_hash: str) -> None:
    a = schema_web.admin_sessions
    with engine.begin() as conn:
        conn.execute(delete(a).where(a.c.id_hash == id_hash))


def close_account(conn: Connection, email: str) -> None:
    """End every log-in of ``email`` now, and spend its sign-in links (inside the caller's transaction)."""
    conn.execute(delete(schema_web.admin_sessions).where(schema_web.admin_sessions.c.account == email))
    conn.execute(delete(schema_web.login_links).where(schema_web.login_links.c.email == email))


def keep_only(engine: Engine, password: str) -> int:
    """Delete the shared log-ins opened under any other password; how many were deleted."""
    a = schema_web.admin_sessions
    with engine.begin() as conn:
        gone = conn.execute(delete(a).where(a.c.account == SHARED, a.c.password != password))
        return max(gone.rowcount, 0)


def add_link(engine: Engine, token_hash: str, email: str, now: datetime, lifetime: timedelta) -> None:
    """Keep a new sign-in link of ``email`` (and drop the links past their lifetime on the way)."""
    k = schema_web.login_links
    with engine.begin() as conn:
        conn.execute(delete(k).where(k.c.created_at < now - lifetime))
        conn.execute(k.insert().values(token_hash=token_hash, email=email, created_at=now))


def link_account(
    engine: Engine, token_hash: str, now: datetime, lifetime: timedelta, spend: bool = False
) -> str:
    """The account a sign-in link logs in to, while it is unused, young and the account exists;
    ''. With ``spend`` the link is used up by this call (only one caller ever gets the account)."""
    k, u = schema_web.login_links, schema_web.users
    live = (k.c.token_hash == token_hash, k.c.used_at.is_(None), k.c.created_at > now - lifetime)
    with engine.begin() as conn:
        email = conn.scalar(select(k.c.email).join(u, u.c.email == k.c.email).where(*live))
        if email and spend and conn.execute(update(k).where(*live).values(used_at=now)).rowcount != 1:
            return ""  # another request spent it between the two statements
    return str(email or "")
