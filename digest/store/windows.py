"""What the sending caps read from the ledger: the hand-over times of one provider's calls
(``deliveries.handed_at``, epoch seconds of digest's clock) and the messages each carried."""

from __future__ import annotations

from sqlalchemy import Engine, Integer, cast, func, select

from digest.pacing import DAY, History, day_of
from digest.store import schema


def history(engine: Engine, channel: str, now: float) -> History:
    """The last 24 hours' hand-overs through ``channel``, and its busiest UTC day before today."""
    d = schema.deliveries
    recent = (
        select(d.c.handed_at, d.c.messages)
        .where(d.c.channel == channel, d.c.handed_at > now - DAY)
        .order_by(d.c.handed_at)
    )
    with engine.connect() as conn:
        # floor() of a positive number; SQLite has no floor() before 3.35, and its CAST truncates
        day = func.floor(d.c.handed_at / DAY) if conn.dialect.name == "postgresql" else cast(
            d.c.handed_at / DAY, Integer
        )
        per_day = (
            select(func.sum(d.c.messages).label("n"))
            .where(d.c.channel == channel, d.c.handed_at < day_of(now) * DAY)
            .group_by(day)
            .subquery()
        )
        best = conn.scalar(select(func.max(per_day.c.n)))
        handed = [(float(when), int(n)) for when, n in conn.execute(recent)]
    return History(handed, int(best or 0))


def largest_pending(engine: Engine, key: str, channel: str) -> int:
    """The messages of the largest delivery of ``key`` still to send (1 when none)."""
    d = schema.deliveries
    query = select(func.max(d.c.messages)).where(
        d.c.edition_key == key, d.c.channel == channel, d.c.status.in_(("pending", "sending"))
    )
    with engine.connect() as conn:
        return int(conn.scalar(query) or 1)


def handed_span(engine: Engine, key: str, channel: str) -> tuple[float, float, int] | None:
    """(first, last hand-over time, messages) of the calls of ``key`` that went, if any."""
    d = schema.deliveries
    query = select(func.min(d.c.handed_at), func.max(d.c.handed_at), func.sum(d.c.messages)).where(
        d.c.edition_key == key, d.c.channel == channel, d.c.status == "sent", d.c.handed_at.is_not(None)
    )
    with engine.connect() as conn:
        first, last, n = conn.execute(query).one()
    return (float(first), float(last), int(n)) if first is not None else None
