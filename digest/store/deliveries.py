"""The delivery half of the ledger: record before the call, claim with a lease, finish."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from digest.store import overview, schema, sendpath
from digest.store.recovery import recover
from digest.store.rows import (
    ClaimSpec,
    DeliveryRow,
    Outcome,
    delivery_from_row,
    delivery_rows,
    insert_ignore,
    now_utc,
    people_of,
)


class DeliveryBook:
    """One row per irreversible call; its idempotency key never changes."""

    engine: Engine

    # -- deliveries ---------------------------------------------------------
    def add_deliveries(self, key: str, channel: str, targets: Sequence[tuple[str, Any]]) -> int:
        """Record the calls to make (target, JSON-able payload); existing ones are kept."""
        rows = delivery_rows(key, channel, targets)
        total = 0
        with self.engine.begin() as conn:
            for start in range(0, len(rows), 1000):
                total += insert_ignore(conn, schema.deliveries, rows[start : start + 1000])
        return total

    def claim(
        self, key: str, channel: str, owner: str, *, lease: float = 300.0, limit: int = 1
    ) -> list[DeliveryRow]:
        """Take up to ``limit`` due pending deliveries, marking them ``sending`` with a lease.

        Call :meth:`expire_leases` first so crashed work surfaces as ``unknown``.
        """
        return self.settle((), ClaimSpec(key, channel, owner, lease), limit)

    def finish(
        self,
        delivery_id: int,
        status: str,
        *,
        provider_id: str = "",
        error: str = "",
        retry_at: float | None = None,
    ) -> None:
        """Record the outcome: sent, failed, unknown, or back to pending at ``retry_at``."""
        self.settle([Outcome(delivery_id, status, provider_id, error, retry_at)])

    def settle(
        self,
        outcomes: Sequence[Outcome],
        claim: ClaimSpec | None = None,
        count: int = 1,
        *,
        conn: Connection | None = None,
    ) -> list[DeliveryRow]:
        """Record ``outcomes`` and claim up to ``count`` due deliveries for ``claim``, in one transaction.

        Returns the claimed rows (by id), already marked ``sending``: they are
        durable before anyone gets them, so each is recorded before its call.
        ``conn`` is a connection the caller keeps open (a sender loop saves the
        pool checkout per transaction); without it one is taken from the engine.
        """
        if conn is None:
            with self.engine.begin() as own:
                return sendpath.settle(own, outcomes, claim, count)
        with conn.begin():
            return sendpath.settle(conn, outcomes, claim, count)

    def send_path(self, *, durable_claims: bool = True) -> sendpath.SendPath:
        """A connection of its own for one sending run's ledger writer (see :class:`sendpath.SendPath`)."""
        return sendpath.SendPath(self.engine, durable_claims=durable_claims)

    def next_retry_at(self, key: str, channel: str) -> float | None:
        """When the earliest pending delivery of (key, channel) becomes due, if any."""
        d = schema.deliveries
        query = select(func.min(d.c.next_attempt_at)).where(
            d.c.edition_key == key, d.c.channel == channel, d.c.status == "pending"
        )
        with self.engine.connect() as conn:
            value = conn.scalar(query)
        return float(value) if value is not None else None

    def expire_leases(
        self,
        key: str | None = None,
        dead_owners: Iterable[str] = (),
        *,
        staged: bool = False,
        resend_doubtful: bool = False,
    ) -> int:
        """Deliveries whose sender died mid-call; returns how many were found.

        A lease ends when its time runs out, or at once when its owner is known to
        be dead (``dead_owners``: a process on this machine that no longer runs).
        Without ``staged`` every such delivery is ``unknown``. With ``staged`` (the
        provider records when it hands a message over, see :mod:`digest.store.sendpath`)
        each is settled by how far its call got (:mod:`digest.store.recovery`).
        """
        d = schema.deliveries
        dead = list(dead_owners)
        expired = d.c.lease_until < time.time()
        cond = and_(d.c.status == "sending", or_(expired, d.c.lease_owner.in_(dead)) if dead else expired)
        if key is not None:
            cond = and_(cond, d.c.edition_key == key)
        with self.engine.begin() as conn:
            return recover(conn, cond, staged, resend_doubtful)

    def doubtful(self, key: str, channel_prefix: str = "") -> list[DeliveryRow]:
        """Deliveries of ``key`` resent after a crash left them without an answer: possible duplicates."""
        return overview.doubtful(self.engine, key, channel_prefix)

    def lease_owners(self, key: str) -> set[str]:
        """Owners of the deliveries of ``key`` now marked ``sending``."""
        d = schema.deliveries
        query = select(d.c.lease_owner).where(d.c.edition_key == key, d.c.status == "sending").distinct()
        with self.engine.connect() as conn:
            return {o for o in conn.scalars(query) if o}

    def requeue(self, delivery_ids: Sequence[int], note: str) -> int:
        """Put ``unknown`` deliveries back to ``pending`` once it is known to be safe.

        Safe means: the provider honours our idempotency key, or the provider's own
        status says the call did not happen (a campaign still a draft).
        """
        if not delivery_ids:
            return 0
        d = schema.deliveries
        with self.engine.begin() as conn:
            result = conn.execute(
                update(d)
                .where(d.c.id.in_(list(delivery_ids)), d.c.status == "unknown")
                .values(status="pending", next_attempt_at=0.0, last_error=note, updated_at=now_utc())
            )
        return max(result.rowcount, 0)

    def set_provider_id(self, delivery_id: int, provider_id: str) -> None:
        """Keep the provider's id (e.g. a campaign created as a draft) before the irreversible step."""
        with self.engine.begin() as conn:
            conn.execute(
                update(schema.deliveries)
                .where(schema.deliveries.c.id == delivery_id)
                .values(provider_id=provider_id, updated_at=now_utc())
            )

    def skip_recipients(self, delivery_id: int, gone: Mapping[str, str]) -> int:
        """Before a call: mark the recipients of ``delivery_id`` in ``gone`` (address -> why) skipped,
        the why as a fourth element of their payload row, and say so in one status message that
        names no one; returns how many were marked. The payload is read again here, so an address
        that a forget took out meanwhile is not written back."""
        d = schema.deliveries
        with self.engine.begin() as conn:
            query = select(d.c.payload, d.c.edition_key, d.c.target).where(d.c.id == delivery_id)
            found = conn.execute(query).first()
            rows: list[list[Any]] = json.loads(found.payload) if found is not None and found.payload else []
            reasons = [gone.get(str(r[0]).lower()) if len(r) == 3 else None for r in rows]
            marked = Counter(why for why in reasons if why)
            if found is None or not marked:
                return 0
            rows = [[*r, why] if why else r for r, why in zip(rows, reasons, strict=True)]
            stamp = now_utc()
            changed = update(d).where(d.c.id == delivery_id)
            counted = people_of(found.target, rows)
            conn.execute(changed.values(payload=json.dumps(rows), **counted, updated_at=stamp))
            why = ", ".join(f"{n} {reason}" for reason, n in sorted(marked.items()))
            text = f"{marked.total()} recipient(s) of delivery #{delivery_id} skipped: they left the list "
            event = {"at": stamp, "level": "info", "kind": "skipped", "edition_key": found.edition_key}
            conn.execute(insert(schema.events).values(**event, message=f"{text}after the send began ({why})"))
        return marked.total()

    def counts(self, key: str, channel: str | None = None) -> dict[str, int]:
        """status -> deliveries of ``key`` (on ``channel``), as the database's tallies keep them."""
        return overview.calls_by_status(overview.tallies(self.engine, key), channel=channel)

    def deliveries(
        self, key: str, channel: str | None = None, statuses: Sequence[str] | None = None
    ) -> list[DeliveryRow]:
        d = schema.deliveries
        query = select(d).where(d.c.edition_key == key).order_by(d.c.id)
        if channel is not None:
            query = query.where(d.c.channel == channel)
        if statuses:
            query = query.where(or_(*(d.c.status == s for s in statuses)))
        with self.engine.connect() as conn:
            return [delivery_from_row(r) for r in conn.execute(query)]
