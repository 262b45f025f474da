"""Provider events (bounces, complaints, unsubscribes) stored once, and the suppression they cause.

Policy: a hard bounce or a complaint suppresses the address at once (status
``bounced`` / ``complained``: never sent to again, and an import leaves it alone);
an unsubscribe event unsubscribes. The event and its effect commit together, and
an event already stored (a provider's retry) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, update

from digest.store import schema
from digest.store.rows import insert_ignore

SUPPRESSING = {"complained": "complained", "unsubscribed": "unsubscribed"}


@dataclass(frozen=True)
class MailEvent:
    event_id: str
    provider: str
    kind: str  # delivered | bounced | complained | unsubscribed | rejected | deferred | other
    hard: bool
    recipient: str
    message_id: str
    at: datetime
    detail: str = ""


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
        if not insert_ignore(conn, schema.mail_events, [row]):
            return False
        status = "bounced" if event.kind == "bounced" and event.hard else SUPPRESSING.get(event.kind)
        if status:
            s = schema.subscribers
            changes: dict[str, object] = {"status": status}
            if status == "unsubscribed":
                changes["unsubscribed_at"] = event.at
            conn.execute(
                update(s).where(s.c.email == row["recipient"], s.c.status == "active").values(**changes)
            )
    return True


def seen(engine: Engine, event_id: str) -> bool:
    e = schema.mail_events
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).where(e.c.event_id == event_id)))


def counts(engine: Engine) -> dict[str, int]:
    e = schema.mail_events
    with engine.connect() as conn:
        return dict(conn.execute(select(e.c.kind, func.count()).group_by(e.c.kind)).all())  # type: ignore[arg-type]
