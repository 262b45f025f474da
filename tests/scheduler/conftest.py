"""Helpers for the scheduler tests: feeds, subscribers and the real PostgreSQL fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select

from digest.store import schema
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)

ITEM = """<item><title>{t}</title><link>https://example.org/{g}</link><guid>{g}</guid>
<pubDate>{d}</pubDate><description>{t} happened this week. Volunteers met the families and shared
a meal together.</description></item>"""


def write_feed(path: Path, items: list[tuple[str, datetime]]) -> None:
    """An RSS file with one item per (title, published), guid = title."""
    body = "".join(
        ITEM.format(t=t, g=t.lower().replace(" ", "-"), d=d.strftime("%a, %d %b %Y %H:%M:%S +0000"))
        for t, d in items
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{body}</channel></rss>',
        encoding="utf-8",
    )


def add_subscribers(engine: Engine, count: int) -> list[str]:
    emails = [f"reader{n:03d}@example.net" for n in range(count)]
    rows = [{"email": e, "name": "", "language": "", "status": "active", "created_at": datetime.now(UTC)}
            for e in emails]
    with engine.begin() as conn:
        conn.execute(insert(schema.subscribers), rows)
    return emails


def editions(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.editions.c.key, schema.editions.c.status)).all())


def delivery_statuses(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(schema.deliveries.c.status)))
