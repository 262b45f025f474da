"""Changes to deliveries after the fact, and the edition status that follows from them.

Staff settle ``unknown`` and ``failed`` rows (:mod:`digest.deliver.resolve` decides
what is allowed), a send puts back the calls a refused login never made, and an
edition's status is set again from its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, case, func, select, update

from digest.store import overview, schema
from digest.store.quick import deliveries_on, on_engine
from digest.store.rows import DeliveryRow, delivery_from_row


def channel_counts(engine: Engine, key: str, prefix: str) -> dict[str, int]:
    """status -> number of deliveries of edition ``key`` on channels starting with ``prefix``."""
    return overview.calls_by_status(overview.tallies(engine, key), prefix)


def rows_on(
    engine: Engine, prefix: str, edition: str | None = None, statuses: Sequence[str] = ()
) -> list[DeliveryRow]:
    """Deliveries on channels starting with ``prefix``, in the order they were recorded."""
    return deliveries_on(on_engine(engine), prefix, edition, statuses)


def rows_by_id(engine: Engine, ids: Sequence[int]) -> dict[int, DeliveryRow]:
    d = schema.deliveries
    with engine.connect() as conn:
        return {r.id: delivery_from_row(r) for r in conn.execute(select(d).where(d.c.id.in_(list(ids))))}


def move_rows(
    engine: Engine, ids: Sequence[int], only_from: Sequence[str], status: str, note: str
) -> list[int]:
    """Set ``status`` on the rows still in one of ``only_from`` (a concurrent change wins).

    Returns the ids changed.

    Back to ``pending`` starts the attempts afresh; the idempotency key never changes.
    """
    d = schema.deliveries
    values: dict[str, object] = {
        "status": status,
        "last_error": note,
        "lease_until": None,
        "updated_at": datetime.now(UTC),
    }
    if status == "pending":
        values.update(next_attempt_at=0.0, attempts=0)
    changed = []
    with engine.begin() as conn:
        for n in ids:
            result = conn.execute(
                update(d).where(d.c.id == n, d.c.status.in_(list(only_from))).values(**values)
            )
            if result.rowcount == 1:
                changed.append(n)
    return changed


def reopen_failed(engine: Engine, ids: Sequence[int], note: str) -> int:
    """Failed rows whose call never happened back to ``pending``; not an attempt, so the count goes down."""
    if not ids:
        return 0
    d = schema.deliveries
    with engine.begin() as conn:
        result = conn.execute(
            update(d)
            .where(d.c.id.in_(list(ids)), d.c.status == "failed")
            .values(
                status="pending",
                next_attempt_at=0.0,
                last_error=note,
                attempts=case((d.c.attempts > 0, d.c.attempts - 1), else_=0),
                updated_at=datetime.now(UTC),
            )
        )
    return max(result.rowcount, 0)


def set_edition_status(engine: Engine, key: str, status: str, reason: str, only_from: Sequence[str]) -> bool:
    """Set ``key``'s status if it is now one of ``only_from``; the first ``sent_at`` is kept."""
    e = schema.editions
    values: dict[str, object] = {"status": status, "reason": reason}
    if status in ("sent", "partial"):
        values["sent_at"] = func.coalesce(e.c.sent_at, datetime.now(UTC))
    with engine.begin() as conn:
        result = conn.execute(
            update(e).where(e.c.key == key, e.c.status.in_(list(only_from))).values(**values)
        )
    return result.rowcount == 1
