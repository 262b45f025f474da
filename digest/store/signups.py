"""Subscriber reads and writes of `digest serve`: look-ups, sign-ups, confirmations, preferences.

A sign-up waits in ``signups`` until its confirmation link is pressed; only then
does the address join ``subscribers`` as active, so an unconfirmed address can
never be sent the digest. One row per address: asking twice sends one email.

Only a link this request was sent confirms it (``signups.links``), once, and only if it was sent
after the address last left the list (``unsubscribed_at``: an unsubscribe, a bounce, a
complaint): an old link pressed after someone has left never brings them back. A bounce or a
complaint is undone only by a fresh confirmation, never by the preferences page.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, update

from digest.store import schema, schema_web
from digest.store.rows import insert_ignore

MAX_CONFIRMATION_EMAILS = 3  # per address, ever, until it confirms
NEVER_ASKED = ("active", "blocked")  # subscribed already; or the list's owner said no email goes there


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str
    language: str
    status: str  # active | unsubscribed
    created_at: datetime | None = None


def lookup(engine: Engine, address: str) -> Subscriber | None:
    s = schema.subscribers
    query = select(s.c.email, s.c.name, s.c.language, s.c.status, s.c.created_at)
    with engine.connect() as conn:
        row = conn.execute(query.where(s.c.email == address.strip().lower())).first()
    return Subscriber(*row) if row else None


def waiting_language(engine: Engine, address: str) -> str:
    """The language a waiting sign-up chose, else the subscriber's own ("" when neither is known)."""
    s, g = schema.subscribers, schema_web.signups
    with engine.connect() as conn:
        found = conn.scalar(select(g.c.language).where(g.c.email == address))
        if found is None:
            found = conn.scalar(select(s.c.language).where(s.c.email == address))
    return str(found or "")


def request_signup(
    engine: Engine,
    address: str,
    language: str,
    consent: str,
    now: datetime,
    resend_after: timedelta,
    key: bytes,
) -> bool:
    """Record a sign-up; True when a confirmation email should go out now.

    False when the address was forgotten (recognised by its hash under the secret ``key``:
    it is never mailed again, not even to confirm), is already subscribed, when a
    confirmation went out less than ``resend_after`` ago, or after MAX_CONFIRMATION_EMAILS.
    """
    from digest.store.forgotten import forgotten_among

    s, g = schema.subscribers, schema_web.signups
    with engine.begin() as conn:
        if forgotten_among(conn, key, [address]):
            return False
        status = conn.scalar(select(s.c.status).where(s.c.email == address))
        if status in NEVER_ASKED:
            return False
        row = {"email": address, "language": language, "consent": consent, "requested_at": now, "sends": 0}
        insert_ignore(conn, g, [row])
        query = select(g.c.sent_at, g.c.sends).where(g.c.email == address)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()  # two requests at once: one email
        sent_at, sends = conn.execute(query).one()
        if sends >= MAX_CONFIRMATION_EMAILS or (sent_at is not None and _aware(sent_at) > now - resend_after):
            return False
        conn.execute(
            update(g)
            .where(g.c.email == address)
            .values(sent_at=now, sends=sends + 1, language=language, consent=consent)
        )
    return True


def remember_link(engine: Engine, address: str, link_hash: str, now: datetime) -> None:
    """Note the link a confirmation email of this waiting sign-up carries (the last few kept)."""
    g = schema_web.signups
    entry = f"{link_hash}:{_millis(now)}"
    with engine.begin() as conn:
        links = conn.scalar(select(g.c.links).where(g.c.email == address))
        if links is not None:
            kept = [*str(links).split(), entry][-MAX_CONFIRMATION_EMAILS:]
            conn.execute(update(g).where(g.c.email == address).values(links=" ".join(kept)))


def confirm_signup(engine: Engine, address: str, now: datetime, link_hash: str) -> str | None:
    """Make a waiting sign-up an active subscriber; its language, or None when nothing waits for
    this link (confirmed already, never sent this link, or the address left the list after it was
    sent, or its owner blocked it)."""
    s, g = schema.subscribers, schema_web.signups
    with engine.begin() as conn:
        waiting = conn.execute(select(g.c.language, g.c.links, g.c.requested_at).where(g.c.email == address))
        row = waiting.first()
        member = conn.execute(select(s.c.status, s.c.unsubscribed_at).where(s.c.email == address)).first()
        if row is None or not _link_holds(row, member, link_hash):
            return None
        language = row.language
        conn.execute(delete(g).where(g.c.email == address))  # every link of this request: used
        new = {"email": address, "name": "", "language": language, "status": "active", "created_at": now}
        if not insert_ignore(conn, s, [new]):
            conn.execute(
                update(s)
                .where(s.c.email == address)
                .values(status="active", language=language, unsubscribed_at=None)
            )
    return str(language)


def _link_holds(row: Any, member: Any, link_hash: str) -> bool:
    if member is not None and member.status == "blocked":
        return False
    left = _millis(member.unsubscribed_at) if member is not None and member.unsubscribed_at else None
    if not row.links:  # asked before links were noted: valid unless the address left since
        return left is None or left < _millis(row.requested_at)
    for entry in str(row.links).split():
        sent_hash, _, sent = entry.partition(":")
        if hmac.compare_digest(sent_hash, link_hash) and (left is None or int(sent or 0) > left):
            return True
    return False


def _millis(value: datetime) -> int:
    return int(_aware(value).timestamp() * 1000)


def set_preferences(engine: Engine, address: str, language: str, resubscribe: bool) -> bool:
    """Change a subscriber's language, and bring back one who unsubscribed (``resubscribe``); never
    one whose mail bounced or who complained (only a fresh confirmation may). False if not on the list."""
    s = schema.subscribers
    with engine.begin() as conn:
        result = conn.execute(update(s).where(s.c.email == address).values(language=language))
        if resubscribe:
            back = update(s).where(s.c.email == address, s.c.status == "unsubscribed")
            conn.execute(back.values(status="active", unsubscribed_at=None))
    return result.rowcount > 0


def pending_count(engine: Engine) -> int:
    from sqlalchemy import func

    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(schema_web.signups)) or 0)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def undo_send(engine: Engine, address: str) -> None:
    """The confirmation email could not go out: let the next request try again at once."""
    g = schema_web.signups
    with engine.begin() as conn:
        waiting = update(g).where(g.c.email == address, g.c.sends > 0)
        conn.execute(waiting.values(sent_at=None, sends=g.c.sends - 1))


def unsubscribe(engine: Engine, address: str, now: datetime) -> Subscriber | None:
    """Unsubscribe in one transaction (the one-click hot path); the row as it was, None if unknown."""
    s = schema.subscribers
    query = select(s.c.email, s.c.name, s.c.language, s.c.status, s.c.created_at).where(s.c.email == address)
    with engine.begin() as conn:
        row = conn.execute(query).first()
        if row is None:
            return None
        if row.status != "unsubscribed":
            conn.execute(
                update(s).where(s.c.email == address).values(status="unsubscribed", unsubscribed_at=now)
            )
    return Subscriber(*row)
