"""What an edition's receipt reads from the database (:mod:`digest.deliver.receipt`): the
providers' events about its messages, who left the list in a time, the edition's own events,
its social posts and their addresses, and whether its receipt went out already."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from digest.store import schema, schema_web


def edition_mail_events(engine: Engine, key: str) -> dict[str, list[str]]:
    """kind (delivered, bounced, complained, unsubscribed...) -> the addresses, for ``key``'s messages."""
    m = schema_web.mail_events
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for kind, recipient in conn.execute(select(m.c.kind, m.c.recipient).where(m.c.edition_key == key)):
            found.setdefault(kind, set()).add(recipient)
    return {kind: sorted(addresses) for kind, addresses in found.items()}


def left_between(engine: Engine, start: datetime | None, end: datetime) -> int:
    """How many left the list (unsubscribed) after ``start`` (ever, when None), until ``end``."""
    s = schema.subscribers
    where = [s.c.status == "unsubscribed", s.c.unsubscribed_at <= end]
    if start is not None:
        where.append(s.c.unsubscribed_at > start)
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(s).where(*where)) or 0)


def edition_messages(engine: Engine, key: str, kind: str) -> list[str]:
    """The messages of ``key``'s events of ``kind`` (e.g. "source skipped"), oldest first."""
    e = schema.events
    query = select(e.c.message).where(e.c.edition_key == key, e.c.kind == kind).order_by(e.c.id)
    with engine.connect() as conn:
        return list(conn.scalars(query))


def edition_posts(engine: Engine, key: str) -> list[tuple[str, str, str]]:
    """(channel, status, address of its first published part or "") of each of ``key``'s posts."""
    d, p = schema.deliveries, schema.social_parts
    first = (
        select(p.c.delivery_id, func.min(p.c.position).label("position"))
        .where(p.c.url != "")
        .group_by(p.c.delivery_id)
        .subquery()
    )
    query = (
        select(d.c.channel, d.c.status, func.coalesce(p.c.url, ""))
        .select_from(
            d.outerjoin(first, first.c.delivery_id == d.c.id).outerjoin(
                p, (p.c.delivery_id == first.c.delivery_id) & (p.c.position == first.c.position)
            )
        )
        .where(d.c.edition_key == key, d.c.channel.startswith("social:"))
        .order_by(d.c.channel, d.c.id)
    )
    with engine.connect() as conn:
        return [(c, s, u) for c, s, u in conn.execute(query)]


def side_mail_made(engine: Engine, idem_key: str) -> bool:
    """Whether the side email of ``idem_key`` went out, or may have (an edition's receipt: once);
    one that failed is tried again."""
    m = schema_web.side_mails
    query = select(m.c.id).where(m.c.idem_key == idem_key, m.c.status != "failed")
    with engine.connect() as conn:
        return conn.scalar(query) is not None
