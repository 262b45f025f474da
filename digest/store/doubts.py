"""The ledger's side of settling calls in doubt and retrying failures that can pass.

- calls ``unknown`` with when they became so (:func:`in_doubt`), what the providers' webhooks
  already reported about their recipients (:func:`reported`), and what the provider's records
  decide for them (:func:`mark_sent`, :func:`send_again`, :func:`split`);
- calls ``failed`` for a reason that can pass (``transient``): found (:func:`passing`), put back
  to be sent (:func:`reopen_passing`), or kept failed for good (:func:`give_up_passing`).

Every change is conditional on the row still being what the caller saw (a concurrent change wins).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from digest.store import schema, schema_web
from digest.store.rows import DeliveryRow, delivery_from_row, idem_key, now_utc, people_of

AGAIN = "~again"  # the target suffix of the call that sends a batch's missing recipients again


@dataclass(frozen=True)
class Doubt:
    """An ``unknown`` delivery and when it became so: ``doubt_at`` by the run's clock (None after a
    crash), ``updated_at`` by the machine's (both epoch seconds)."""

    row: DeliveryRow
    updated_at: float
    doubt_at: float | None

    def age(self, now: float, machine_now: float) -> float:
        """Seconds since it became unknown: by the run's clock, or the machine's if that is more
        (the tests move the run's clock; a crash leaves only the machine's)."""
        by_clock = now - (self.doubt_at if self.doubt_at is not None else self.updated_at)
        return max(by_clock, machine_now - self.updated_at)


def in_doubt(engine: Engine, key: str, channel: str) -> list[Doubt]:
    d = schema.deliveries
    query = select(d).where(d.c.edition_key == key, d.c.channel == channel, d.c.status == "unknown")
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(d.c.id)).all()
    return [Doubt(delivery_from_row(r), _epoch(r.updated_at), r.doubt_at) for r in rows]


def reported(engine: Engine, provider: str, key: str, addresses: Sequence[str]) -> set[str]:
    """The addresses a stored webhook event of ``provider`` names for edition ``key``."""
    e = schema_web.mail_events
    wanted = sorted({a.strip().lower() for a in addresses})
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            query = (
                select(e.c.recipient)
                .distinct()
                .where(
                    e.c.provider == provider,
                    e.c.edition_key == key,
                    e.c.recipient.in_(wanted[start : start + 500]),
                )
            )
            found.update(conn.scalars(query))
    return found


def mark_sent(engine: Engine, delivery_id: int, note: str) -> bool:
    """An unknown call the provider's records show it got: ``sent``."""
    return _change(engine, delivery_id, "unknown", status="sent", last_error=note, doubt_at=None)


def note(engine: Engine, delivery_id: int, text: str) -> bool:
    """Say why an unknown call stays so (its error), changing nothing else: not even ``updated_at``,
    which says when the call was made."""
    d = schema.deliveries
    with engine.begin() as conn:
        result = conn.execute(
            update(d).where(d.c.id == delivery_id, d.c.status == "unknown").values(last_error=text[:2000])
        )
    return result.rowcount == 1


def send_again(engine: Engine, delivery_id: int, note: str) -> bool:
    """An unknown call the provider never got: back to ``pending`` (same idempotency key), counted
    as a resend so that a second doubt stays for a person."""
    d = schema.deliveries
    values = {"status": "pending", "attempts": 0, "next_attempt_at": 0.0, "resends": d.c.resends + 1}
    return _change(engine, delivery_id, "unknown", last_error=note, doubt_at=None, **values)


def split(engine: Engine, row: DeliveryRow, got: set[str], note: str, again_note: str) -> int | None:
    """A batch the provider got only part of: the call keeps the recipients it got (``sent``), and a
    new call (``<target>~again``, pending, counted as a resend) takes the rest. Returns its id."""
    rows = row.data() if isinstance(row.data(), list) else []
    kept = [r for r in rows if str(r[0]).lower() in got]
    rest = [r for r in rows if str(r[0]).lower() not in got]
    d = schema.deliveries
    target = row.target + AGAIN
    stamp = now_utc()
    with engine.begin() as conn:
        done = conn.execute(
            update(d)
            .where(d.c.id == row.id, d.c.status == "unknown")
            .values(status="sent", payload=json.dumps(kept), **people_of(row.target, kept), last_error=note)
            .values(doubt_at=None, updated_at=stamp)
        )
        if done.rowcount != 1:
            return None
        new = {
            "edition_key": row.edition_key,
            "channel": row.channel,
            "target": target,
            "payload": json.dumps(rest),
            **people_of(target, rest),
            "idem_key": idem_key(row.edition_key, row.channel, target),
            "status": "pending",
            "resends": row.resends + 1,
            "last_error": again_note,
            "updated_at": stamp,
        }
        return int(conn.execute(insert(d).values(**new).returning(d.c.id)).scalar_one())


def passing(engine: Engine, key: str, channel: str) -> list[DeliveryRow]:
    """Deliveries of ``key`` on ``channel`` that failed for a reason that can pass."""
    d = schema.deliveries
    query = select(d).where(
        d.c.edition_key == key, d.c.channel == channel, d.c.status == "failed", d.c.transient == 1
    )
    with engine.connect() as conn:
        return [delivery_from_row(r) for r in conn.execute(query.order_by(d.c.id))]


def reopen_passing(engine: Engine, key: str, channel: str, note: str) -> int:
    """Every failure of ``key`` on ``channel`` that can pass, back to ``pending`` with fresh attempts."""
    values = {"status": "pending", "attempts": 0, "next_attempt_at": 0.0, "transient": 0}
    return _update(engine, key, channel, {**values, "last_error": note})


def give_up_passing(engine: Engine, key: str, channel: str) -> int:
    """Failures that could have passed, failed for good (too late to send them)."""
    return _update(engine, key, channel, {"transient": 0})


def _update(engine: Engine, key: str, channel: str, values: dict[str, Any]) -> int:
    d = schema.deliveries
    with engine.begin() as conn:
        result = conn.execute(
            update(d)
            .where(d.c.edition_key == key, d.c.channel == channel, d.c.status == "failed", d.c.transient == 1)
            .values(updated_at=now_utc(), lease_until=None, **values)
        )
    return max(result.rowcount, 0)


def _change(engine: Engine, delivery_id: int, only_from: str, **values: Any) -> bool:
    d = schema.deliveries
    with engine.begin() as conn:
        result = conn.execute(
            update(d)
            .where(d.c.id == delivery_id, d.c.status == only_from)
            .values(updated_at=now_utc(), lease_until=None, stage="", **values)
        )
    return result.rowcount == 1


def _epoch(value: datetime) -> float:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
