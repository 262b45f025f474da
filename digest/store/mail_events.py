"""Provider events (bounces, complaints, unsubscribes) stored once, and the suppression they cause.

Policy: a hard bounce or a complaint suppresses the address at once (status
``bounced`` / ``complained``: never sent to again, and an import leaves it alone);
soft bounces suppress (``bounced``) after SOFT_LIMIT in a row on separate editions,
a delivered event in between starting the count again; an unsubscribe event
unsubscribes. The event and its effect commit together, and an event already
stored (a provider's retry) changes nothing.

Only events about a message of ours are stored (:mod:`digest.store.event_match`): the
event's call in the ledger gives its edition, and a delivered event turns an ``unknown``
delivery into ``sent``, since the provider has plainly accepted that call. An event about
a forgotten address keeps only the address's keyed hash, and changes nothing else.
All the events of one webhook request are recorded in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from digest.store import schema, schema_web
from digest.store.event_match import Match, Matcher, message_keys
from digest.store.forgotten import redacted
from digest.store.quick import event_counts, on_engine
from digest.types import SHOWN_EVENTS, MailEvent

__all__ = [
    "SOFT_LIMIT", "MailEvent", "Recorded", "counts", "edition_counts", "message_keys", "record",
    "record_all", "seen", "soft_run_by",
]

SUPPRESSING = {"complained": "complained", "unsubscribed": "unsubscribed"}
SOFT_LIMIT = 3  # soft bounces in a row, on separate editions, that suppress (anymail leaves it to us)


@dataclass
class Recorded:
    """What became of a request's events."""

    stored: int = 0
    repeated: int = 0  # stored before (the provider's retry)
    unmatched: int = 0  # about no message of ours: not stored
    suppressed: dict[str, str] = field(default_factory=dict)  # address -> the status these events gave it


def record(engine: Engine, event: MailEvent, key: bytes) -> bool:
    """Store ``event`` and apply the policy; False when it was stored before or is not about a
    message of ours (nothing changes). ``key``: the secret key, which recognises forgotten addresses."""
    return record_all(engine, [event], key).stored == 1


def record_all(engine: Engine, events: Sequence[MailEvent], key: bytes) -> Recorded:
    """Store each event about a message of ours and apply the policy, in one transaction."""
    done = Recorded()
    delivered: set[int] = set()
    with engine.begin() as conn:
        matcher = Matcher(conn, key, events)
        insert = _insert_statement(conn.dialect.name)
        for event in events:
            found = matcher.of(event)
            if found is None:
                done.unmatched += 1
            elif conn.execute(insert, _row(event, found)).first() is None:
                done.repeated += 1
            else:
                done.stored += 1
                if found.delivery is not None and event.kind == "delivered":
                    delivered.add(found.delivery)
                status = _apply_policy(conn, event, found)
                if status:
                    done.suppressed[found.recipient] = status
        _explain(conn, delivered)
    return done


def _row(event: MailEvent, found: Match) -> dict[str, object]:
    address = event.recipient.strip().lower()
    detail = event.detail[:1000]
    if found.forgotten:  # the bounce text may quote the address, in any case
        detail = redacted(detail, address)
    return {
        "event_id": event.event_id[:160],
        "provider": event.provider,
        "kind": event.kind,
        "hard": int(event.hard),
        "recipient": found.recipient[:320],
        "message_id": event.message_id[:500],
        "at": event.at,
        "detail": detail,
        "edition_key": found.edition,
    }


@cache
def _insert_statement(dialect: str) -> Any:
    """Insert unless the event id is stored; RETURNING says which, since rowcount is unreliable on
    PostgreSQL. Built once: building a statement cost more than running it."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    return maker(schema_web.mail_events).on_conflict_do_nothing().returning(schema_web.mail_events.c.event_id)


def _apply_policy(conn: Connection, event: MailEvent, found: Match) -> str | None:
    """Suppress the address as the policy says (a forgotten one has no row left to change);
    the status it was given, None when nothing changed."""
    address = event.recipient.strip().lower()
    status = None if found.forgotten else _suppression(conn, event, address)
    if not status:
        return None
    s = schema.subscribers
    changes: dict[str, object] = {"status": status}
    if status == "unsubscribed":
        changes["unsubscribed_at"] = event.at
    result = conn.execute(update(s).where(s.c.email == address, s.c.status == "active").values(**changes))
    return status if result.rowcount else None


def _explain(conn: Connection, delivered: set[int]) -> None:
    """A call the provider says it delivered was plainly accepted: ``unknown`` becomes ``sent``."""
    d = schema.deliveries
    for start in range(0, len(delivered), 500):
        ids = sorted(delivered)[start : start + 500]
        explained = update(d).where(d.c.id.in_(ids), d.c.status == "unknown")
        conn.execute(explained.values(status="sent", last_error=""))


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
    e = schema_web.mail_events
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


def soft_run_by(engine: Engine, provider: str) -> set[str]:
    """The addresses whose latest delivered-or-bounced event is a soft bounce ``provider`` reported:
    the ones whose run a later acceptance by that same server ends."""
    e = schema_web.mail_events
    soft = select(e.c.recipient).where(e.c.provider == provider, e.c.kind == "bounced", e.c.hard == 0)
    query = (
        select(e.c.recipient, e.c.provider, e.c.kind, e.c.hard)
        .where(e.c.recipient.in_(soft.scalar_subquery()), e.c.kind.in_(("delivered", "bounced")))
        .order_by(e.c.recipient, e.c.at.desc())
    )
    latest: dict[str, bool] = {}
    with engine.connect() as conn:
        for recipient, by, kind, hard in conn.execute(query):
            latest.setdefault(recipient, by == provider and kind == "bounced" and not hard)
    return {address for address, soft_now in latest.items() if soft_now}


def seen(engine: Engine, event_id: str) -> bool:
    e = schema_web.mail_events
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).where(e.c.event_id == event_id)))


def counts(engine: Engine) -> dict[str, int]:
    e = schema_web.mail_events
    with engine.connect() as conn:
        return dict(conn.execute(select(e.c.kind, func.count()).group_by(e.c.kind)).all())  # type: ignore[arg-type]


def edition_counts(engine: Engine, edition: str | None = None) -> dict[str, dict[str, int]]:
    """Per edition (``""``: no delivery matched), how many addresses each shown kind of event named."""
    return event_counts(on_engine(engine), SHOWN_EVENTS, edition)
