"""Paused editions: a person's hold on an edition (`digest pause`, the dashboard), lifted by
`digest resume`. Every claim of the edition's deliveries checks it in its own transaction
(:func:`digest.store.sendpath.gate`), so a send in progress stops at its next safe point, in
this process or another instance on the same database."""

from __future__ import annotations

from sqlalchemy import Engine, delete

from digest.store import schema
from digest.store.overview import Pause, pauses
from digest.store.rows import insert_ignore, now_utc


class PauseBook:
    engine: Engine

    def pause(self, key: str, by: str) -> bool:
        """Hold edition ``key`` (which must exist). True if this call paused it."""
        row = {"edition_key": key, "paused_at": now_utc(), "paused_by": by[:200]}
        with self.engine.begin() as conn:
            return insert_ignore(conn, schema.edition_pauses, [row]) == 1

    def resume(self, key: str) -> bool:
        """Lift the hold on ``key``. True if it was paused."""
        p = schema.edition_pauses
        with self.engine.begin() as conn:
            return conn.execute(delete(p).where(p.c.edition_key == key)).rowcount == 1

    def pause_of(self, key: str) -> Pause | None:
        return self.pauses([key]).get(key)

    def pauses(self, keys: list[str] | None = None) -> dict[str, Pause]:
        """The paused editions (of ``keys``, or all), by key."""
        return pauses(self.engine, keys)
