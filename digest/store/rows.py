"""Ledger row types and the SQL helpers both halves of the ledger share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from digest.pacing import Limits

if TYPE_CHECKING:
    from sqlalchemy import Connection

TAKEN_STATUSES = ("ready", "sending", "sent", "partial")
DONE_STATUSES = ("sent", "partial", "skipped")
OPEN = ("building", "ready")  # statuses in which an edition may still be approved or held
UNFINISHED = ("building", "ready", "sending")  # an edition not yet out (it may be paused)
RESOLVABLE = ("unknown", "failed")  # deliveries a person may resolve as sent or send again
EMAIL = "email:"  # the channels of email deliveries start with this; social posts' with SOCIAL
SOCIAL = "social:"
CAMPAIGN = "campaign"  # the target of a campaign's one delivery row (the provider keeps the list)


@dataclass(frozen=True)
class EditionRow:
    key: str
    slot_utc: datetime
    status: str
    reason: str
    subject: str
    html: str
    text: str
    content_sha256: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    edition_key: str
    channel: str
    target: str
    payload: str
    idem_key: str
    status: str
    attempts: int
    provider_id: str
    last_error: str
    doubts: int = 0  # resends after a crash left the call without an answer (possible duplicates)
    messages: int = 1  # messages the call carries (a batch: its recipients)
    resends: int = 0  # made again because the provider's records showed it never got the call

    def data(self) -> Any:
        return json.loads(self.payload) if self.payload else None


@dataclass(frozen=True)
class Outcome:
    """How one call ended, as the ledger records it: sent, failed, unknown, or pending at ``retry_at``.

    ``transient``: a failure for a reason that can pass (tried again later); ``doubt_at``: for an
    unknown outcome, when it became unknown by the run's clock (epoch seconds); ``released``: a
    delivery claimed ahead and not called after all (the run stopped), pending again.
    """

    delivery_id: int
    status: str
    provider_id: str = ""
    error: str = ""
    retry_at: float | None = None
    transient: bool = False
    doubt_at: float | None = None
    released: bool = False  # claimed and never called: the claim's attempt is taken back


class Question(NamedTuple):
    """A read made in a claim's transaction about the deliveries it claimed (see ClaimSpec.ask):
    the SQL, its parameters as the driver takes them, and what to do with its rows once committed."""

    sql: str
    params: Any
    take: Callable[[list[Any]], None]


@dataclass(frozen=True)
class ClaimSpec:
    """What a sender claims: due deliveries of (key, channel), leased to ``owner`` for ``lease`` seconds."""

    key: str
    channel: str
    owner: str
    lease: float = 300.0
    # What may hold the claim back, checked in its own transaction: the edition's pause and
    # the sending caps (None: nothing, as for social posts).
    limits: Limits | None = None
    # What to read about the claimed deliveries in the same transaction (the list's answer about
    # their recipients, digest.store.sendreads); None: nothing.
    ask: Callable[[Sequence[DeliveryRow]], Question | None] | None = field(default=None, compare=False)


def idem_key(edition_key: str, channel: str, target: str) -> str:
    return hashlib.sha256(f"{edition_key}|{channel}|{target}".encode()).hexdigest()[:40]


def now_utc() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def insert_ignore(conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on either dialect; returns rows inserted."""
    if not rows:
        return 0
    # Each dialect's INSERT is imported here: loading PostgreSQL's dialect costs every command's
    # start-up a fifth of a second on SQLite.
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        # psycopg's executemany reports no usable rowcount: count the rows the server says it added.
        first = next(iter(table.c))
        stmt = pg_insert(table).on_conflict_do_nothing().returning(first)
        return len(conn.execute(stmt, list(rows)).all())
    from digest.store.bulk import insert_or_skip

    inserted = insert_or_skip(conn, table, rows)
    if inserted is not None:
        return inserted
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    result = conn.execute(sqlite_insert(table).on_conflict_do_nothing(), list(rows))
    return max(result.rowcount, 0)


def delivery_from_row(row: Any) -> DeliveryRow:
    return DeliveryRow(
        id=row.id,
        edition_key=row.edition_key,
        channel=row.channel,
        target=row.target,
        payload=row.payload,
        idem_key=row.idem_key,
        status=row.status,
        attempts=row.attempts,
        provider_id=row.provider_id,
        last_error=row.last_error,
        doubts=row.doubts,
        messages=row.messages,
        resends=row.resends,
    )


def delivery_rows(key: str, channel: str, targets: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    """New pending delivery rows, each with the idempotency key it keeps for ever."""
    stamp = now_utc()
    return [
        {
            "edition_key": key,
            "channel": channel,
            "target": target,
            "payload": json.dumps(payload) if payload is not None else "",
            "messages": len(payload) if isinstance(payload, list) else 1,
            **people_of(target, payload),
            "idem_key": idem_key(key, channel, target),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": 0.0,
            "provider_id": "",
            "last_error": "",
            "updated_at": stamp,
        }
        for target, payload in targets
    ]


def people_of(target: str, payload: Any) -> dict[str, int]:
    """The ``people`` and ``skipped`` columns of a delivery from its target and decoded payload:
    a payload row (``[email, name, language]``) is one person, skipped when it has a fourth element
    (why they were skipped); a campaign's one row names nobody (the provider keeps its list)."""
    if target == CAMPAIGN:
        return {"people": 0, "skipped": 0}
    rows = _listed(payload)
    skipped = sum(1 for r in rows if len(r) >= 4)
    return {"people": len(rows) - skipped, "skipped": skipped}


# -- who a delivery row was for (its payload: one list per recipient) --------------------------
def recipients(row: DeliveryRow) -> list[str]:
    """The addresses a delivery was for (a campaign row: the provider's whole list), but those
    skipped because they left the list after the send began (see :func:`skipped`)."""
    return [str(r[0]) for r in _listed(row.data()) if len(r) < 4]


def skipped(row: DeliveryRow) -> list[tuple[str, str]]:
    """(address, why) of a delivery's recipients skipped before its call: they unsubscribed, bounced,
    complained or were forgotten after the send began (the payload row's fourth element says which)."""
    return [(str(r[0]), str(r[3])) for r in _listed(row.data()) if len(r) >= 4]


def _listed(payload: Any) -> list[list[object]]:
    return [r for r in payload if isinstance(r, list) and r] if isinstance(payload, list) else []


def people_by_status(rows: Iterable[DeliveryRow]) -> dict[str, int]:
    """status -> number of people over email deliveries (a batch counts each of its recipients,
    a skipped one as ``skipped``; a campaign row, whose list the provider keeps, as ``campaign``)."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.target == CAMPAIGN:
            counts[f"campaign {row.status}"] = counts.get(f"campaign {row.status}", 0) + 1
            continue
        for status, n in ((row.status, len(recipients(row))), ("skipped", len(skipped(row)))):
            if n:
                counts[status] = counts.get(status, 0) + n
    return counts
