"""Rehearsals: editions that went only to the outbox.

The README's first command sends the sample edition to the outbox. That must not use up
the period or its articles for the real provider configured afterwards: when a real send
finds this period's edition delivered only to the outbox, the edition is kept under a
``<key>~rehearsal-N`` key and the period starts again; and the articles of rehearsals
never count as sent for a real provider.
"""

from __future__ import annotations

from sqlalchemy import Engine, Select, and_, delete, func, insert, select, update

from digest.store import schema

OUTBOX = "email:outbox"
SUFFIX = "~rehearsal-"


def rehearsal_keys() -> Select[tuple[str]]:
    """Keys of editions whose every delivery went to the outbox (at least one did)."""
    d = schema.deliveries
    return (
        select(d.c.edition_key)
        .group_by(d.c.edition_key)
        .having(and_(func.min(d.c.channel) == OUTBOX, func.max(d.c.channel) == OUTBOX))
    )


class RehearsalBook:
    engine: Engine

    def is_rehearsal(self, key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(rehearsal_keys().where(schema.deliveries.c.edition_key == key)) is not None

    def has_editions(self, rehearsals: bool = True) -> bool:
        """Whether any edition exists (``rehearsals=False``: any that was not only a rehearsal)."""
        e = schema.editions
        query = select(e.c.key).limit(1)
        if not rehearsals:
            query = query.where(e.c.key.not_in(rehearsal_keys()))
        with self.engine.connect() as conn:
            return conn.scalar(query) is not None

    def retire_rehearsal(self, key: str) -> str | None:
        """Move ``key``'s edition aside if it went only to the outbox; the new key, or None.

        One transaction: the edition, its articles, bodies, deliveries and events move
        together, so ``key`` is free for the real send and nothing is half-moved.
        """
        e = schema.editions
        with self.engine.begin() as conn:
            found = conn.scalar(rehearsal_keys().where(schema.deliveries.c.edition_key == key))
            row = conn.execute(select(e).where(e.c.key == key)).first()
            if found is None or row is None:
                return None
            taken = conn.scalar(select(func.count()).select_from(e).where(e.c.key.like(f"{key}{SUFFIX}%")))
            new = f"{key}{SUFFIX}{int(taken or 0) + 1}"
            conn.execute(insert(e).values({**row._mapping, "key": new}))
            for table in (schema.edition_articles, schema.edition_bodies, schema.deliveries, schema.events):
                conn.execute(update(table).where(table.c.edition_key == key).values(edition_key=new))
            conn.execute(delete(e).where(e.c.key == key))
        return new
