"""The send ledger: editions, deliveries and events.

Rules it enforces, whatever triggers it:
- one edition row per period key (duplicate fires insert nothing);
- one delivery row per (edition, channel, target), with an idempotency key that
  never changes across retries;
- a delivery is marked ``sending`` (with a lease) *before* the irreversible call,
  and one whose lease ran out is ``unknown``: reconciled, never blindly resent.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from digest.store import schema

TAKEN_STATUSES = ("ready", "sending", "sent", "partial")
DONE_STATUSES = ("sent", "partial", "skipped")


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

    def data(self) -> Any:
        return json.loads(self.payload) if self.payload else None


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
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    result = conn.execute(maker(table).on_conflict_do_nothing(), list(rows))
    return max(result.rowcount, 0)


class Ledger:
    """Every read and write of the ledger goes through here."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- editions -----------------------------------------------------------
    def ensure_edition(self, key: str, slot: datetime) -> bool:
        """Create the edition row if missing. True if this call created it."""
        with self.engine.begin() as conn:
            row = {
                "key": key,
                "slot_utc": slot.astimezone(UTC),
                "status": "building",
                "reason": "",
                "subject": "",
                "html": "",
                "text": "",
                "content_sha256": "",
                "created_at": now_utc(),
            }
            return insert_ignore(conn, schema.editions, [row]) == 1

    def edition(self, key: str) -> EditionRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.editions).where(schema.editions.c.key == key)).first()
        return _edition(row) if row else None

    def editions(self, limit: int = 20) -> list[EditionRow]:
        query = select(schema.editions).order_by(schema.editions.c.slot_utc.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_edition(r) for r in conn.execute(query)]

    def freeze_edition(
        self,
        key: str,
        subject: str,
        html: str,
        text: str,
        items: Iterable[tuple[str, str]],
        bodies: dict[str, tuple[str, str, str]] | None = None,
    ) -> bool:
        """Store the rendered edition once; later calls keep the first bytes.

        ``items`` is (article ident, blurb) in order; ``bodies`` the same email in
        further languages (language -> subject, html, text), frozen in the same
        transaction. Returns True if this call froze it.
        """
        sha = hashlib.sha256(f"{subject}\n{html}\n{text}".encode()).hexdigest()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(schema.editions)
                .where(schema.editions.c.key == key, schema.editions.c.status == "building")
                .values(status="ready", subject=subject, html=html, text=text, content_sha256=sha)
            )
            if result.rowcount != 1:
                return False
            rows = [
                {"edition_key": key, "article_ident": ident, "position": n, "blurb": blurb}
                for n, (ident, blurb) in enumerate(items)
            ]
            insert_ignore(conn, schema.edition_articles, rows)
            extra = [
                {
                    "edition_key": key,
                    "language": lang,
                    "subject": b[0],
                    "html": b[1],
                    "text": b[2],
                    "content_sha256": hashlib.sha256("\n".join(b).encode()).hexdigest(),
                }
                for lang, b in (bodies or {}).items()
            ]
            insert_ignore(conn, schema.edition_bodies, extra)
            return True

    def set_status(self, key: str, status: str, reason: str = "") -> None:
        values: dict[str, Any] = {"status": status, "reason": reason}
        if status in DONE_STATUSES:
            values["sent_at"] = now_utc()
        with self.engine.begin() as conn:
            conn.execute(update(schema.editions).where(schema.editions.c.key == key).values(**values))

    def mark_missed(self, key: str, reason: str) -> bool:
        """Give up on an edition nothing of which was sent yet. True if this call did it.

        Conditional, so that of several instances noticing the same late slot only
        one reports it, and an edition already sending is never marked.
        """
        with self.engine.begin() as conn:
            result = conn.execute(
                update(schema.editions)
                .where(schema.editions.c.key == key, schema.editions.c.status.in_(("building", "ready")))
                .values(status="missed", reason=reason, sent_at=None)
            )
        return result.rowcount == 1

    def taken_article_idents(self) -> set[str]:
        """Articles already committed to an edition: they never go out again."""
        query = (
            select(schema.edition_articles.c.article_ident)
            .join(schema.editions, schema.editions.c.key == schema.edition_articles.c.edition_key)
            .where(schema.editions.c.status.in_(TAKEN_STATUSES))
        )
        with self.engine.connect() as conn:
            return set(conn.scalars(query))

    def last_sent_edition(self) -> EditionRow | None:
        query = (
            select(schema.editions)
            .where(schema.editions.c.status.in_(("sent", "partial")))
            .order_by(schema.editions.c.slot_utc.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _edition(row) if row else None

    # -- articles -----------------------------------------------------------
    def remember_articles(self, rows: Sequence[dict[str, Any]]) -> None:
        with self.engine.begin() as conn:
            insert_ignore(conn, schema.articles, rows)

    def first_seen(self, idents: Iterable[str]) -> dict[str, datetime]:
        wanted = list(idents)
        found: dict[str, datetime] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(schema.articles.c.ident, schema.articles.c.first_seen_at).where(
                    schema.articles.c.ident.in_(chunk)
                )
                for ident, seen in conn.execute(query):
                    found[ident] = _aware(seen) or now_utc()
        return found

    # -- deliveries ---------------------------------------------------------
    def add_deliveries(self, key: str, channel: str, targets: Sequence[tuple[str, Any]]) -> int:
        """Record the calls to make (target, JSON-able payload); existing ones are kept."""
        rows = self._rows(key, channel, targets)
        total = 0
        with self.engine.begin() as conn:
            for start in range(0, len(rows), 1000):
                total += insert_ignore(conn, schema.deliveries, rows[start : start + 1000])
        return total

    @staticmethod
    def _rows(key: str, channel: str, targets: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
        stamp = now_utc()
        return [
            {
                "edition_key": key,
                "channel": channel,
                "target": target,
                "payload": json.dumps(payload) if payload is not None else "",
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

    def claim(
        self, key: str, channel: str, owner: str, *, lease: float = 300.0, limit: int = 1
    ) -> list[DeliveryRow]:
        """Take up to ``limit`` due pending deliveries, marking them ``sending`` with a lease.

        Call :meth:`expire_leases` first so crashed work surfaces as ``unknown``.
        """
        with self.engine.begin() as conn:
            return self._claim(conn, key, channel, owner, lease, limit)

    @staticmethod
    def _claim(
        conn: Connection, key: str, channel: str, owner: str, lease: float, limit: int
    ) -> list[DeliveryRow]:
        d = schema.deliveries
        now = time.time()
        due = (
            select(d.c.id)
            .where(
                d.c.edition_key == key,
                d.c.channel == channel,
                d.c.status == "pending",
                d.c.next_attempt_at <= now,
            )
            .order_by(d.c.id)
            .limit(limit)
        )
        wanted: Any = due.scalar_subquery()
        if conn.dialect.name == "postgresql":
            # Not a plain IN (subquery): PostgreSQL may plan it as a nested loop that re-runs
            # the subquery per row, and each run skips the rows this statement has already
            # locked, so one claim with limit 1 took every pending row. A MATERIALIZED CTE
            # runs once.
            locked = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
            wanted = select(locked.c.id)
        # One statement (UPDATE ... RETURNING): the claim costs one round trip.
        rows = conn.execute(
            update(d)
            .where(d.c.id.in_(wanted), d.c.status == "pending")
            .values(
                status="sending",
                lease_until=now + lease,
                lease_owner=owner,
                attempts=d.c.attempts + 1,
                updated_at=now_utc(),
            )
            .returning(*d.c)
        ).all()
        return sorted((_delivery(r) for r in rows), key=lambda r: r.id)

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
        with self.engine.begin() as conn:
            self._finish(conn, delivery_id, status, provider_id, error, retry_at)

    def finish_and_claim(
        self,
        delivery_id: int,
        status: str,
        *,
        provider_id: str = "",
        error: str = "",
        retry_at: float | None = None,
        claim: tuple[str, str, str, float] | None = None,
    ) -> list[DeliveryRow]:
        """:meth:`finish` one delivery and :meth:`claim` the next (key, channel, owner, lease) in one commit.

        A sender loop pays one transaction per message instead of two; the next
        delivery is still marked ``sending`` before its call.
        """
        with self.engine.begin() as conn:
            self._finish(conn, delivery_id, status, provider_id, error, retry_at)
            if claim is None:
                return []
            key, channel, owner, lease = claim
            return self._claim(conn, key, channel, owner, lease, 1)

    @staticmethod
    def _finish(
        conn: Connection, delivery_id: int, status: str, provider_id: str, error: str, retry_at: float | None
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "last_error": error[:2000],
            "lease_until": None,
            "updated_at": now_utc(),
        }
        if provider_id:
            values["provider_id"] = provider_id
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        conn.execute(update(schema.deliveries).where(schema.deliveries.c.id == delivery_id).values(**values))

    def next_retry_at(self, key: str, channel: str) -> float | None:
        """When the earliest pending delivery of (key, channel) becomes due, if any."""
        d = schema.deliveries
        query = select(func.min(d.c.next_attempt_at)).where(
            d.c.edition_key == key, d.c.channel == channel, d.c.status == "pending"
        )
        with self.engine.connect() as conn:
            value = conn.scalar(query)
        return float(value) if value is not None else None

    def expire_leases(self, key: str | None = None, dead_owners: Iterable[str] = ()) -> int:
        """Deliveries whose sender died mid-call: their outcome is unknown.

        A lease ends when its time runs out, or at once when its owner is known to
        be dead (``dead_owners``: a process on this machine that no longer runs).
        """
        d = schema.deliveries
        dead = list(dead_owners)
        expired = d.c.lease_until < time.time()
        cond = and_(d.c.status == "sending", or_(expired, d.c.lease_owner.in_(dead)) if dead else expired)
        if key is not None:
            cond = and_(cond, d.c.edition_key == key)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(d)
                .where(cond)
                .values(
                    status="unknown",
                    lease_until=None,
                    updated_at=now_utc(),
                    last_error="the sender stopped during the call; check before resending",
                )
            )
        return max(result.rowcount, 0)

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

    # -- per-language bodies ------------------------------------------------
    def snapshot(
        self, key: str, channel: str, targets: Callable[[Connection], Iterable[tuple[str, Any]]]
    ) -> int:
        """Record every delivery of an edition and mark it ``sending``, in one transaction.

        One transaction, so a crash part-way leaves no half snapshot behind: the
        resumed run takes the whole list again, and batch numbers cannot shift.
        Does nothing (returns 0) unless the edition is ``ready``. ``targets`` gets
        the transaction's connection to read from (SQLite allows no second one).
        """
        total = 0
        with self.engine.begin() as conn:
            status = conn.scalar(select(schema.editions.c.status).where(schema.editions.c.key == key))
            if status != "ready":
                return 0
            chunk: list[tuple[str, Any]] = []
            weight = 0  # recipients held in memory: batch targets carry up to 1,000 each
            for target in targets(conn):
                chunk.append(target)
                weight += len(target[1]) if isinstance(target[1], list) else 1
                if weight >= 1000:
                    total += insert_ignore(conn, schema.deliveries, self._rows(key, channel, chunk))
                    chunk, weight = [], 0
            total += insert_ignore(conn, schema.deliveries, self._rows(key, channel, chunk))
            conn.execute(
                update(schema.editions).where(schema.editions.c.key == key).values(status="sending")
            )
        return total

    def bodies(self, key: str) -> dict[str, tuple[str, str, str]]:
        """language -> (subject, html, text) of the further languages frozen for ``key``."""
        b = schema.edition_bodies
        query = select(b.c.language, b.c.subject, b.c.html, b.c.text).where(b.c.edition_key == key)
        with self.engine.connect() as conn:
            return {lang: (subject, html, text) for lang, subject, html, text in conn.execute(query)}

    def counts(self, key: str, channel: str | None = None) -> dict[str, int]:
        d = schema.deliveries
        query = select(d.c.status, func.count()).where(d.c.edition_key == key).group_by(d.c.status)
        if channel is not None:
            query = query.where(d.c.channel == channel)
        with self.engine.connect() as conn:
            return {status: n for status, n in conn.execute(query)}

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
            return [_delivery(r) for r in conn.execute(query)]

    # -- events -------------------------------------------------------------
    def event(self, level: str, kind: str, message: str, edition_key: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(schema.events).values(
                    at=now_utc(), level=level, kind=kind, edition_key=edition_key, message=message
                )
            )

    def recent_events(self, limit: int = 20) -> list[dict[str, Any]]:
        e = schema.events
        with self.engine.connect() as conn:
            rows = conn.execute(select(e).order_by(e.c.id.desc()).limit(limit))
            return [
                {
                    "at": r.at.replace(tzinfo=r.at.tzinfo or UTC).isoformat() if r.at else "",
                    "level": r.level,
                    "kind": r.kind,
                    "edition": r.edition_key,
                    "message": r.message,
                }
                for r in rows
            ]


def _edition(row: Any) -> EditionRow:
    return EditionRow(
        key=row.key,
        slot_utc=_aware(row.slot_utc) or now_utc(),
        status=row.status,
        reason=row.reason,
        subject=row.subject,
        html=row.html,
        text=row.text,
        content_sha256=row.content_sha256,
        created_at=_aware(row.created_at) or now_utc(),
        sent_at=_aware(row.sent_at),
    )


def _delivery(row: Any) -> DeliveryRow:
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
    )
