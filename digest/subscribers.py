"""Our own subscriber list (for message providers)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from digest.store import schema
from digest.types import Recipient


def active_recipients(engine: Engine) -> list[Recipient]:
    """Everyone subscribed, in a stable order (batches must come out the same every time)."""
    s = schema.subscribers
    query = select(s.c.email, s.c.name, s.c.language).where(s.c.status == "active").order_by(s.c.email)
    with engine.connect() as conn:
        return [Recipient(email=e, name=n, language=lang) for e, n, lang in conn.execute(query)]
