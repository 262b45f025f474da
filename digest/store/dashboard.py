"""Reads and writes of the volunteers' dashboard: sign-ups over time, editing a post in review."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from digest.store import schema
from digest.store.rows import now_utc


def subscribers_by_week(engine: Engine, since: datetime) -> tuple[int, list[tuple[datetime, int]]]:
    """(active before ``since``, [(week start, new active subscribers that week)]) for a chart."""
    s = schema.subscribers
    # Counted per day by the database (the date as stored: UTC on SQLite, the session's zone on
    # PostgreSQL, as the timestamps read back would give), never one row per subscriber.
    day = func.date(s.c.created_at)
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).where(s.c.status == "active", s.c.created_at < since))
        days = conn.execute(
            select(day, func.count()).where(s.c.status == "active", s.c.created_at >= since).group_by(day)
        ).all()
    weeks: dict[datetime, int] = {}
    for value, n in days:
        start = datetime.combine(date.fromisoformat(str(value)), time())
        start -= timedelta(days=start.weekday())
        weeks[start] = weeks.get(start, 0) + n
    return int(before or 0), sorted(weeks.items())


def edit_post(engine: Engine, delivery_id: int, text: str, language: str) -> bool:
    """Replace the first part of a post still waiting for review; False if it is not waiting."""
    d = schema.deliveries
    with engine.begin() as conn:
        row = conn.execute(select(d.c.payload).where(d.c.id == delivery_id, d.c.status == "review")).first()
        if row is None:
            return False
        payload: dict[str, Any] = json.loads(row.payload)
        payload["parts"] = [text, *payload.get("parts", [])[1:]]
        payload["language"] = language
        payload["edited"] = True
        result = conn.execute(
            update(d)
            .where(d.c.id == delivery_id, d.c.status == "review")
            .values(payload=json.dumps(payload, ensure_ascii=False), updated_at=now_utc())
        )
    return result.rowcount == 1
