"""Subscriber reads and writes of `digest serve`: look-ups, sign-ups, confirmations, preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from digest.store import schema


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str
    language: str
    status: str  # active | unsubscribed | pending
    created_at: datetime | None = None


def lookup(engine: Engine, address: str) -> Subscriber | None:
    s = schema.subscribers
    query = select(s.c.email, s.c.name, s.c.language, s.c.status, s.c.created_at)
    with engine.connect() as conn:
        row = conn.execute(query.where(s.c.email == address.strip().lower())).first()
    return Subscriber(*row) if row else None
