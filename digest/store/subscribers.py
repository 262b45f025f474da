"""The subscribers table: our own list, for message providers.

Addresses arrive here already validated and lower-cased (:mod:`digest.subscribers`
does that). Reading the list for a send goes in pages (keyset order by language,
address), so 100,000 subscribers never sit in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, delete, literal, select, tuple_, union_all, update
from sqlalchemy.sql import CompoundSelect

from digest.store import schema, schema_web
from digest.store.db import reading
from digest.store.forgotten import address_hash
from digest.store.quick import on_engine, subscriber_counts, subscriber_rows
from digest.store.rows import insert_ignore, now_utc
from digest.types import ACTIVE, Recipient

PAGE = 1000


def insert_new(engine: Engine, rows: Sequence[dict[str, str]], key: bytes | None = None) -> int:
    """Add rows (email, name, language, and ``status`` when not active, with ``left_at``: ISO time);
    addresses already there are kept as they are. Returns rows added.

    With the secret ``key``, addresses that were forgotten (digest subscribers forget) are left out.
    """
    from digest.store.forgotten import forgotten_among

    stamp = now_utc()
    added = 0
    with engine.begin() as conn:
        for start in range(0, len(rows), PAGE):
            page = rows[start : start + PAGE]
            erased = forgotten_among(conn, key, [r["email"] for r in page]) if key else set()
            chunk = [_new(r, stamp) for r in page if r["email"] not in erased]
            if chunk:
                added += insert_ignore(conn, schema.subscribers, chunk)
    return added


def _new(row: dict[str, str], stamp: datetime) -> dict[str, object]:
    status = row.get("status") or ACTIVE
    left = None if status == ACTIVE else (_time(row.get("left_at", "")) or stamp)
    return {"email": row["email"], "name": row.get("name", ""), "language": row.get("language", ""),
            "status": status, "created_at": stamp, "unsubscribed_at": left}


def _time(text: str) -> datetime | None:
    """A time an export wrote (``2024-04-08 17:09:32+00:00``; UTC when it names no zone), or None."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def record_left(engine: Engine, rows: Sequence[dict[str, str]]) -> tuple[dict[str, int], int]:
    """Give each subscribed address among ``rows`` the status its row says (an import that says they
    left). One that confirmed a sign-up here is kept subscribed: its own confirmation is newer
    consent than someone's export. Returns ({status: addresses changed}, addresses kept)."""
    s = schema.subscribers
    changed: dict[str, int] = {}
    kept = 0
    with engine.begin() as conn:
        for start in range(0, len(rows), PAGE):
            page = {r["email"]: r["status"] for r in rows[start : start + PAGE]}
            active = set(conn.scalars(select(s.c.email).where(s.c.email.in_(page), s.c.status == ACTIVE)))
            confirmed = _confirmed_here(conn, active)
            kept += len(confirmed)
            for address in sorted(active - confirmed):
                status = page[address]
                conn.execute(update(s).where(s.c.email == address, s.c.status == ACTIVE)
                             .values(status=status, unsubscribed_at=now_utc()))
                changed[status] = changed.get(status, 0) + 1
    return changed, kept


def _confirmed_here(conn: Connection, addresses: set[str]) -> set[str]:
    """The addresses that joined through our double opt-in: a confirmation was sent, and no sign-up
    of theirs is still waiting for its link (confirming ends the wait)."""
    if not addresses:
        return set()
    m, g = schema_web.side_mails, schema_web.signups
    sent = select(m.c.recipient).where(
        m.c.recipient.in_(addresses), m.c.kind == "confirm", m.c.status == "sent"
    )
    waiting = select(g.c.email).where(g.c.email.in_(addresses))
    return set(conn.scalars(sent)) - set(conn.scalars(waiting))


def remove(engine: Engine, address: str) -> bool:
    """Delete an address from the list entirely (it may be imported again)."""
    with engine.begin() as conn:
        result = conn.execute(delete(schema.subscribers).where(schema.subscribers.c.email == address.lower()))
    return result.rowcount > 0


def unsubscribe(engine: Engine, address: str) -> bool:
    """Record an unsubscribe; honoured from the next send. False if the address is unknown."""
    s = schema.subscribers
    with engine.begin() as conn:
        found = conn.execute(select(s.c.status).where(s.c.email == address.lower())).first()
        if found is None:
            return False
        conn.execute(
            update(s)
            .where(s.c.email == address.lower(), s.c.status != "unsubscribed")
            .values(status="unsubscribed", unsubscribed_at=now_utc())
        )
    return True


def listing(engine: Engine, status: str | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(email, name, language, status) in address order."""
    return subscriber_rows(on_engine(engine), status)


def count(engine: Engine) -> dict[str, int]:
    return subscriber_counts(on_engine(engine))


def languages(engine: Engine) -> list[str]:
    """The languages active subscribers asked for ('' = the default)."""
    s = schema.subscribers
    query = select(s.c.language).where(s.c.status == "active").distinct()
    with engine.connect() as conn:
        return sorted(conn.scalars(query))


def after_in_list(language: str, email: str) -> ColumnElement[bool]:
    """Subscribers after (``language``, ``email``) in the list's order, as one comparison of the
    pair: SQLite seeks ``ix_subscribers_status`` to it, where the same test spelt out with OR
    (language after, or the same and the address after) read the list from its start for every page."""
    s = schema.subscribers
    return tuple_(s.c.language, s.c.email) > tuple_(literal(language), literal(email))


def iter_active(source: Engine | Connection, page: int = PAGE) -> Iterator[Recipient]:
    """Every active subscriber ordered by (language, address), read a page at a time.

    ``source`` may be a connection inside a transaction (the ledger's snapshot
    reads the list within its own transaction).
    """
    s = schema.subscribers
    after: tuple[str, str] | None = None
    while True:
        query = select(s.c.email, s.c.name, s.c.language).where(s.c.status == "active")
        if after is not None:
            query = query.where(after_in_list(*after))
        query = query.order_by(s.c.language, s.c.email).limit(page)
        if isinstance(source, Connection):
            rows = source.execute(query).all()
        else:
            with source.connect() as conn:
                rows = conn.execute(query).all()
        for email, name, lang in rows:
            yield Recipient(email=email, name=name, language=lang)
        if len(rows) < page:
            return
        after = (rows[-1][2], rows[-1][0])


# Who `subscribers import --resubscribe` may ask to confirm again: not "blocked", which the list's
# owner decided (removed, blocklisted, flagged as a spam sign-up), so no email may go there.
ASKED_AGAIN = ("unsubscribed", "bounced", "complained")


def suppressed_among(engine: Engine, addresses: Sequence[str]) -> set[str]:
    """The addresses that are on the list, may not be mailed and may be asked to confirm again
    (left, bounced or reported spam; not blocked)."""
    s = schema.subscribers
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(addresses), PAGE):
            page = list(addresses[start : start + PAGE])
            query = select(s.c.email).where(s.c.email.in_(page), s.c.status.in_(ASKED_AGAIN))
            found.update(conn.scalars(query))
    return found


def active_among(engine: Engine, addresses: Sequence[str]) -> set[str]:
    """The addresses (lower-cased) that are on the list and may be mailed."""
    s = schema.subscribers
    wanted = sorted({a.strip().lower() for a in addresses})
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), PAGE):
            page = wanted[start : start + PAGE]
            found.update(conn.scalars(select(s.c.email).where(s.c.email.in_(page), s.c.status == "active")))
    return found


def not_to_mail(engine: Engine, addresses: Sequence[str], key: bytes) -> dict[str, str]:
    """Of ``addresses`` (a batch about to be sent), those that may no longer be mailed, with why:
    their status on the list now (unsubscribed, bounced, ...), ``forgotten``, or ``removed`` (no
    longer on the list at all). One query for a batch of up to PAGE (the batches of every provider
    are no bigger), so a send can ask before each call (the send path's own connection does the
    same: :class:`digest.store.sendreads.SendReads`)."""
    found: dict[str, str] = {}
    with reading(engine) as conn:
        for start in range(0, len(addresses), PAGE):
            page = [a.lower() for a in addresses[start : start + PAGE]]
            hashes = {address_hash(key, a): a for a in page}
            rows = conn.execute(recheck_query(page, list(hashes))).all()
            found.update(why_not(rows, page, hashes))
    return found


def recheck_query(emails: Sequence[Any], digests: Sequence[Any]) -> CompoundSelect:
    """The list's status of each of ``emails``, and which of ``digests`` (keyed hashes) were forgotten."""
    s, f = schema.subscribers, schema_web.forgotten
    listed = select(s.c.email, s.c.status).where(s.c.email.in_(emails))
    erased = select(f.c.digest, literal("forgotten")).where(f.c.digest.in_(digests))
    return union_all(listed, erased)


def why_not(rows: Iterable[Sequence[Any]], page: Sequence[str], hashes: dict[str, str]) -> dict[str, str]:
    """From the rows of :func:`recheck_query`: each address of ``page`` that may not be mailed, and why."""
    status = {str(name): str(why) for name, why in rows}
    for digest, address in hashes.items():
        if digest in status:
            status[address] = "forgotten"
    return {a: status.get(a, "removed") for a in page if status.get(a, "removed") != ACTIVE}
