"""Rehearsals: editions that went only to providers that send nothing (the caller names their
channels: ``rehearsals``, see :func:`digest.providers.registry.rehearsal_channels`).

The README's first command sends the sample edition to such a provider. That must not use up
the period or its articles for the real provider configured afterwards: when a real send
finds this period's edition delivered only to rehearsal channels, the edition is kept under a
``<key>~rehearsal-N`` key and the period starts again; and the articles of rehearsals
never count as sent for a real provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, Select, case, delete, func, insert, select, update

from digest.store import schema

SUFFIX = "~rehearsal-"


def rehearsal_keys(rehearsals: Sequence[str]) -> Select[tuple[str]]:
    """Keys of editions whose every delivery went to one of the ``rehearsals`` channels (at least one did)."""
    d = schema.deliveries
    elsewhere = case((d.c.channel.in_(list(rehearsals)), 0), else_=1)
    return select(d.c.edition_key).group_by(d.c.edition_key).having(func.max(elsewhere) == 0)


class RehearsalBook:
    engine: Engine

    def has_editions(self, uncounted: Sequence[str] = (), up_to: datetime | None = None) -> bool:
        """Whether any edition exists, leaving out those that went only to ``uncounted`` channels
        (and, with ``up_to``, those of later slots: one frozen ahead for approval)."""
        e = schema.editions
        query = select(e.c.key).limit(1)
        if up_to is not None:
            query = query.where(e.c.slot_utc <= up_to)
        if uncounted:
            query = query.where(e.c.key.not_in(rehearsal_keys(uncounted)))
        with self.engine.connect() as conn:
            return conn.scalar(query) is not None

    def retire_rehearsal(self, key: str, rehearsals: Sequence[str]) -> str | None:
        """Move ``key``'s edition aside if it went only to ``rehearsals`` channels; the new key, or None.

        One transaction: the edition, its articles, bodies, deliveries and events move
        together, so ``key`` is free for the real send and nothing is half-moved.
        """
        e = schema.editions
        with self.engine.begin() as conn:
            found = conn.scalar(rehearsal_keys(rehearsals).where(schema.deliveries.c.edition_key == key))
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
