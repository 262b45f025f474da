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
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text, update

from digest.store import schema
from digest.store.seen import only_on

SUFFIX = "~rehearsal-"


class RehearsalBook:
    engine: Engine

    def retire_rehearsal(self, key: str, rehearsals: Sequence[str]) -> str | None:
        """Move ``key``'s edition aside if it went only to ``rehearsals`` channels; the new key, or None.

        One transaction: the edition, its articles, bodies, deliveries and events move
        together, so ``key`` is free for the real send and nothing is half-moved.
        """
        e = schema.editions
        with self.engine.begin() as conn:
            params: dict[str, Any] = {"key": key}
            found = conn.scalar(text(only_on(params, rehearsals, " WHERE edition_key = :key")), params)
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
