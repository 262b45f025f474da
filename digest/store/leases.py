"""Edition leases: one process at a time owns an edition's state changes.

Two `digest send` runs (or a send and the scheduler) that overlap must not both
decide about the same edition: the second could record "nothing new" while the
first is still sending. So a run takes the edition's lease before it changes
anything and keeps it renewed while it works; another run sees who holds it.

Taking is one conditional statement on either database: insert the lease if there
is none, else take it over only if it is ours, has run out, or belongs to a
process on this machine that no longer runs. Of two runs racing for a free or
expired lease, exactly one statement changes the row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, and_, delete, or_, select, update

from digest.store import schema
from digest.store.rows import insert_ignore


@dataclass(frozen=True)
class Holder:
    owner: str
    since: float
    until: float


class LeaseBook:
    """Take, renew and give back edition leases."""

    engine: Engine

    def take_edition(
        self, key: str, owner: str, seconds: float, is_dead: Callable[[str], bool] = lambda _o: False
    ) -> Holder | None:
        """Hold ``key`` for ``seconds`` from now. None when taken (or renewed); else who holds it."""
        t = schema.edition_leases
        now = time.time()
        with self.engine.begin() as conn:
            row = {"key": key, "owner": owner, "since": now, "until": now + seconds}
            if insert_ignore(conn, t, [row]) == 1:
                return None
            current = conn.execute(select(t).where(t.c.key == key)).first()
            if current is None:
                return None if insert_ignore(conn, t, [row]) == 1 else Holder("another run", now, now)
            free = or_(t.c.owner == owner, t.c.until < now)
            if current.owner != owner and is_dead(current.owner):
                free = or_(free, t.c.owner == current.owner)
            take = update(t).where(and_(t.c.key == key, free))
            changed = conn.execute(take.values(owner=owner, since=now, until=now + seconds)).rowcount
            if changed == 1:
                return None
            holder = conn.execute(select(t).where(t.c.key == key)).first()
        return Holder(holder.owner, holder.since, holder.until) if holder else Holder("another run", now, now)

    def renew_edition(self, key: str, owner: str, seconds: float) -> bool:
        """Push our lease's end ``seconds`` from now; False when it is no longer ours."""
        t = schema.edition_leases
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(t).where(t.c.key == key, t.c.owner == owner).values(until=time.time() + seconds)
            ).rowcount
        return changed == 1

    def release_edition(self, key: str, owner: str) -> None:
        t = schema.edition_leases
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(t.c.key == key, t.c.owner == owner))

    def edition_holder(self, key: str) -> Holder | None:
        """Who holds ``key``'s lease now (None: nobody, or it ran out)."""
        t = schema.edition_leases
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.key == key, t.c.until >= time.time())).first()
        return Holder(row.owner, row.since, row.until) if row else None
