"""The sender's hot path: record outcomes and claim the next deliveries, in one transaction.

Two ways to run the same two statements (built once with SQLAlchemy Core, so the
SQL is the dialect's own on SQLite and PostgreSQL alike):

- :func:`settle` on a SQLAlchemy connection, for occasional callers;
- :class:`SendPath`, for the ledger writer of a sending run: the statements are
  compiled to SQL text once and run on the raw DBAPI connection, skipping
  SQLAlchemy's per-execution work (execution context, parameter processing,
  result wrapping), which cost more than the SQL itself.

Either way the claimed rows are committed as ``sending`` before they are returned.

A provider that says when a message is handed over (SMTP: just before the final
"."; HTTP: just before a request that is not safe to repeat) gets a third statement,
:func:`hand_statement`, run in the same group commits. For such a run the claims
need not survive a power cut (a lost claim had handed nothing over): only the
transactions that record a hand-over wait for the disk, so there is still one
flush per message. SQLite's WAL and PostgreSQL's WAL are both written in order,
so a flushed hand-over also keeps every claim committed before it.

Both the claim and the hand-over stamp ``handed_at`` with digest's clock, and a claim whose
:class:`~digest.store.rows.ClaimSpec` has ``limits`` first asks :func:`digest.store.gate.gate`
(the edition's pause, the sending caps) in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Integer,
    Text,
    Update,
    bindparam,
    case,
    func,
    select,
    update,
)

from digest import clock
from digest.store import schema
from digest.store.compiled import Compiled
from digest.store.gate import GATE, Fetch, gate
from digest.store.rows import ClaimSpec, DeliveryRow, Outcome, now_utc

HANDED = "handed"
# Pages of SQLite's write-ahead log before it is copied into the database: its default, and a send's.
SQLITE_CHECKPOINT, CHECKPOINT_PAGES = 1000, 10_000

# The columns a DeliveryRow is made of, in its field order.
ROW_COLUMNS = (
    "id",
    "edition_key",
    "channel",
    "target",
    "payload",
    "idem_key",
    "status",
    "attempts",
    "provider_id",
    "last_error",
    "doubts",
    "messages",
    "resends",
)


def settle(
    conn: Connection, outcomes: Sequence[Outcome], claim: ClaimSpec | None, count: int
) -> list[DeliveryRow]:
    """Run in the caller's transaction on a SQLAlchemy connection."""
    if outcomes:
        conn.execute(finish_statement(), finish_params(outcomes, now_utc()))
    if claim is None or count < 1:
        return []
    postgres = conn.dialect.name == "postgresql"
    count, _held = gate(lambda name, p: conn.execute(GATE[name](), p).first(), claim, count, postgres)
    if count < 1:
        return []
    rows = conn.execute(claim_statement(postgres), claim_params(claim, count, now_utc())).all()
    return sorted((DeliveryRow(*r) for r in rows), key=lambda r: r.id)


class SendPath:
    """One raw DBAPI connection, with the finish and claim statements compiled for it; one thread only.

    Use as a context manager: the connection goes back to the engine's pool at the end.
    """

    def __init__(self, engine: Engine, *, durable_claims: bool = True) -> None:
        dialect = engine.dialect
        self.sqlite = dialect.name == "sqlite"
        self.durable_claims = durable_claims
        self._synchronous = "FULL"
        self.finish = Compiled(finish_statement(), dialect)
        self.claim = Compiled(claim_statement(dialect.name == "postgresql"), dialect)
        self.hand = Compiled(hand_statement(), dialect)
        self.gates = {name: Compiled(statement(), dialect) for name, statement in GATE.items()}
        self.postgres = dialect.name == "postgresql"
        self.held = ""  # why the last claim took fewer than asked (see gate)
        # SQLite keeps datetimes as text in SQLAlchemy's format; PostgreSQL's driver takes them as they are.
        column_type = schema.deliveries.c.updated_at.type
        stamp: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(dialect)
        self.stamp = stamp or (lambda value: value)
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()  # one for the run: the pool's cursor() is Python on every call
        # SQLite keeps synchronous=FULL for every transaction that must survive a power cut
        # (NORMAL for all measured about 10% faster, but a lost claim of an HTTP call, or a lost
        # hand-over, could send a message twice without anyone knowing).
        if self.sqlite:
            self._checkpoint(CHECKPOINT_PAGES)

    def _checkpoint(self, pages: int) -> None:
        # SQLite copies the log into the database (and flushes both) each time the log passes
        # this many pages, in the transaction that passes it: at the default 1,000 pages a run's
        # writer stopped every few hundred messages, every sender waiting on it. A longer log is
        # copied less often (each page once however often it changed) and every commit is flushed
        # as before. The pool's next user gets the default back.
        self.cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")

    def __enter__(self) -> SendPath:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.sqlite:
                self._checkpoint(SQLITE_CHECKPOINT)  # the pool's next user expects the defaults
            if self.sqlite and self._synchronous != "FULL":
                self._sqlite_synchronous(self.cursor, "FULL")
            self.cursor.close()
        finally:
            self.raw.close()

    def settle(
        self, outcomes: Sequence[Outcome], claim: ClaimSpec | None, count: int, handed: Sequence[int] = ()
    ) -> list[DeliveryRow]:
        """Record ``outcomes`` and the hand-over of ``handed``, claim up to ``count`` deliveries;
        committed before it returns (flushed to disk when it records a hand-over, or always
        with ``durable_claims``)."""
        cursor = self.cursor
        durable = self.durable_claims or bool(handed)
        try:
            if self.sqlite:
                self._sqlite_synchronous(cursor, "FULL" if durable else "NORMAL")
                # As the engine does for every transaction (store/db.py): take the write lock up front.
                cursor.execute("BEGIN IMMEDIATE")
            elif not durable:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            stamp = self.stamp(now_utc())
            if handed:
                at = clock.timestamp()
                marks = [self.hand.args({"b_id": n, "b_at": stamp, "b_clock": at}) for n in handed]
                cursor.executemany(self.hand.sql, marks)
            if outcomes:
                params = [self.finish.args(p) for p in finish_params(outcomes, stamp)]
                cursor.executemany(self.finish.sql, params)
            claimed: list[DeliveryRow] = []
            if claim is not None and count > 0:
                fetch: Fetch = lambda name, p: self._fetch(cursor, name, p)  # noqa: E731
                count, self.held = gate(fetch, claim, count, self.postgres)
            if claim is not None and count > 0:
                cursor.execute(self.claim.sql, self.claim.args(claim_params(claim, count, stamp)))
                claimed = sorted((DeliveryRow(*r) for r in cursor.fetchall()), key=lambda r: r.id)
            answer = self._ask(cursor, claim, claimed)
            self.raw.commit()
        except BaseException:
            self.raw.rollback()
            raise
        if answer is not None:
            answer()  # only fills the senders' store of answers: the claim is committed either way
        return claimed

    @staticmethod
    def _ask(cursor: Any, claim: ClaimSpec | None, claimed: list[DeliveryRow]) -> Callable[[], None] | None:
        """The claim's question about what it claimed (ClaimSpec.ask), read in its transaction;
        returns how to hand the answer over, once the claim is committed."""
        question = claim.ask(claimed) if claim is not None and claim.ask is not None and claimed else None
        if question is None:
            return None
        cursor.execute(question.sql, question.params)
        rows = list(cursor.fetchall())
        return lambda: question.take(rows)

    def _fetch(self, cursor: Any, name: str, params: dict[str, Any]) -> Any:
        compiled = self.gates[name]
        cursor.execute(compiled.sql, compiled.args(params))
        return cursor.fetchone()

    def _sqlite_synchronous(self, cursor: Any, level: str) -> None:
        # Changed between transactions only, and only when it differs (a pragma is a statement too).
        if level != self._synchronous:
            cursor.execute(f"PRAGMA synchronous={level}")
            self._synchronous = level


def finish_params(outcomes: Sequence[Outcome], stamp: Any) -> list[dict[str, Any]]:
    return [
        {
            "b_id": o.delivery_id,
            "b_status": o.status,
            "b_error": o.error[:2000],
            "b_pid": o.provider_id,
            "b_retry": o.retry_at,
            "b_transient": int(o.transient),
            "b_doubt": o.doubt_at,
            "b_undo": int(o.released),
            "b_at": stamp,
        }
        for o in outcomes
    ]


def claim_params(claim: ClaimSpec, count: int, stamp: Any) -> dict[str, Any]:
    now = time.time()
    return {
        "b_key": claim.key,
        "b_channel": claim.channel,
        "b_now": now,
        "b_limit": count,
        "b_until": now + claim.lease,
        "b_owner": claim.owner,
        "b_at": stamp,
        "b_clock": clock.timestamp(),
    }


@cache
def finish_statement() -> Update:
    """Record one outcome; a provider id or retry time given as empty/None keeps the old value."""
    d = schema.deliveries
    provider_id = bindparam("b_pid", type_=Text)
    return (
        update(d)
        .where(d.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            last_error=bindparam("b_error"),
            lease_until=None,
            updated_at=bindparam("b_at"),
            attempts=d.c.attempts - bindparam("b_undo", type_=Integer),
            provider_id=case((provider_id == "", d.c.provider_id), else_=provider_id),
            next_attempt_at=func.coalesce(bindparam("b_retry", type_=Float), d.c.next_attempt_at),
            stage="",  # the answer came: nothing of this call is in doubt any more
            transient=bindparam("b_transient", type_=Integer),
            doubt_at=bindparam("b_doubt", type_=Float),
        )
    )


@cache
def hand_statement() -> Update:
    """Record that the call of a delivery being sent is handing its message over now."""
    d = schema.deliveries
    return (
        update(d)
        .where(d.c.id == bindparam("b_id"), d.c.status == "sending")
        .values(stage=HANDED, updated_at=bindparam("b_at"), handed_at=bindparam("b_clock", type_=Float))
    )


@cache
def claim_statement(postgres: bool) -> Update:
    """Mark the first ``b_limit`` due pending deliveries ``sending``, in one UPDATE ... RETURNING."""
    d = schema.deliveries
    due = (
        select(d.c.id)
        .where(
            d.c.edition_key == bindparam("b_key"),
            d.c.channel == bindparam("b_channel"),
            d.c.status == "pending",
            d.c.next_attempt_at <= bindparam("b_now"),
        )
        .order_by(d.c.id)
        .limit(bindparam("b_limit"))
    )
    wanted: Any = due.scalar_subquery()
    if postgres:
        # Not a plain IN (subquery): PostgreSQL may plan it as a nested loop that re-runs
        # the subquery per row, and each run skips the rows this statement has already
        # locked, so one claim with limit 1 took every pending row. A MATERIALIZED CTE
        # runs once.
        locked = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        wanted = select(locked.c.id)
    # SQLite, without statistics, took an equality on an indexed status for the better way in and
    # read every pending delivery of every edition for each claim (the tallies' status index): a
    # claim cost as much as the rest of a message. The same test as an expression no index holds
    # leaves it the ids' own lookups.
    still_pending = d.c.status == "pending" if postgres else d.c.status.concat("") == "pending"
    return (
        update(d)
        .where(d.c.id.in_(wanted), still_pending)
        .values(
            status="sending",
            lease_until=bindparam("b_until"),
            lease_owner=bindparam("b_owner"),
            attempts=d.c.attempts + 1,
            updated_at=bindparam("b_at"),
            handed_at=bindparam("b_clock", type_=Float),
        )
        .returning(*(d.c[name] for name in ROW_COLUMNS))
    )
