"""Provider events (bounces, complaints, unsubscribes) stored once, and the suppression they cause.

Policy: a hard bounce or a complaint suppresses the address at once (status
``bounced`` / ``complained``: never sent to again, and an import leaves it alone);
soft bounces suppress (``bounced``) after SOFT_LIMIT in a row on separate editions,
a delivered event in between starting the count again; an unsubscribe event
unsubscribes. The event and its effect commit together, and an event already
stored (a provider's retry) changes nothing.

Each event is matched to the ledger's delivery by the provider's message id
(``deliveries.provider_id``); a delivered event turns an ``unknown`` delivery into
``sent``, since the provider has plainly accepted that call.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, func, select, update

from digest.store import schema
from digest.types import MailEvent

__all__ = ["SOFT_LIMIT", "MailEvent", "counts", "edition_counts", "message_keys", "record", "seen"]

SUPPRESSING = {"complained": "complained", "unsubscribed": "unsubscribed"}
SOFT_LIMIT = 3  # soft bounces in a row, on separate editions, that suppress (anymail leaves it to us)


def record(engine: Engine, event: MailEvent) -> bool:
    """Store ``event`` and apply the policy; False when it was stored before (nothing changes)."""
    row = {
        "event_id": event.event_id[:160],
        "provider": event.provider,
        "kind": event.kind,
        "hard": int(event.hard),
        "recipient": event.recipient.strip().lower()[:320],
        "message_id": event.message_id[:500],
        "at": event.at,
        "detail": event.detail[:1000],
    }
    with engine.begin() as conn:
        delivery = _delivery(conn, event)
        row["edition_key"] = delivery[1] if delivery else ""
        if not _insert_new(conn, row):
            return False
        if delivery and event.kind == "delivered":
            d = schema.deliveries
            explained = update(d).where(d.c.id == delivery[0], d.c.status == "unknown")
            conn.execute(explained.values(status="sent", last_error=""))
        status = _suppression(conn, event, str(row["recipient"]))
        if status:
            s = schema.subscribers
            changes: dict[str, object] = {"status": status}
            if status == "unsubscribed":
                changes["unsubscribed_at"] = event.at
            conn.execute(
                update(s).where(s.c.email == row["recipient"], s.c.status == "active").values(**changes)
            )
    return True


def _insert_new(conn: Connection, row: dict[str, object]) -> bool:
    """Insert unless the event id is stored; RETURNING, since rowcount is unreliable on PostgreSQL."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    query = maker(schema.mail_events).values(**row).on_conflict_do_nothing()
    return conn.execute(query.returning(schema.mail_events.c.event_id)).first() is not None


def message_keys(message_id: str) -> list[str]:
    """The ``deliveries.provider_id`` values a message id can stand for: with and without the angle
    brackets some send answers wrap it in."""
    key = message_id.strip().strip("<>").strip()
    return [key, f"<{key}>"] if key else []


def _delivery(conn: Connection, event: MailEvent) -> tuple[int, str] | None:
    keys = message_keys(event.send_id or event.message_id)
    if not keys:
        return None
    d = schema.deliveries
    found = conn.execute(
        select(d.c.id, d.c.edition_key).where(d.c.provider_id.in_(keys)).order_by(d.c.id.desc()).limit(1)
    ).first()
    return (int(found[0]), str(found[1])) if found else None


def _suppression(conn: Connection, event: MailEvent, recipient: str) -> str | None:
    if event.kind == "bounced":
        if event.hard or _soft_run(conn, recipient) >= SOFT_LIMIT:
            return "bounced"
        return None
    return SUPPRESSING.get(event.kind)


def _soft_run(conn: Connection, recipient: str) -> int:
    """Editions with a soft bounce since this address's last delivered event or hard bounce.

    An event no delivery explains counts as its own edition (keyed by its message id).
    """
    e = schema.mail_events
    rows = conn.execute(
        select(e.c.kind, e.c.hard, e.c.edition_key, e.c.message_id, e.c.event_id)
        .where(e.c.recipient == recipient, e.c.kind.in_(("delivered", "bounced")))
        .order_by(e.c.at.desc())
    ).all()
    editions: set[str] = set()
    for kind, hard, edition, message_id, event_id in rows:
        if kind == "delivered" or hard:
            break
        editions.add(edition or f"message:{message_id or event_id}")
    return len(editions)


def seen(engine: Engine, event_id: str) -> bool:
    e = schema.mail_events
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).where(e.c.event_id == event_id)))


def counts(engine: Engine) -> dict[str, int]:
    e = schema.mail_events
    with engine.connect() as conn:
        return dict(conn.execute(select(e.c.kind, func.count()).group_by(e.c.kind)).all())  # type: ignore[arg-type]


SHOWN = ("delivered", "bounced", "complained")


def edition_counts(engine: Engine, edition: str | None = None) -> dict[str, dict[str, int]]:
    """Per edition (``""``: no delivery matched), how many addresses each shown kind of event named."""
    e = schema.mail_events
    people = func.count(func.distinct(e.c.recipient))
    query = select(e.c.edition_key, e.c.kind, people).where(e.c.kind.in_(SHOWN))
    query = query.group_by(e.c.edition_key, e.c.kind)
    if edition is not None:
        query = query.where(e.c.edition_key == edition)
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for key, kind, n in conn.execute(query).all():
            out.setdefault(str(key), dict.fromkeys(SHOWN, 0))[str(kind)] = int(n)
    return out
