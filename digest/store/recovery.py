"""After a crash: settle the deliveries a dead sender left ``sending``, by how far each call got.

A provider that records when it hands a message over (``stage``, see
:mod:`digest.store.sendpath`) lets most of them be settled without staff:

- nothing handed over yet (SMTP: the final "." was never written; HTTP: the
  request never left): not delivered, back to ``pending``; not counted as an attempt;
- handed over, no answer: in doubt. With ``resend_doubtful`` (SMTP: a server
  cannot recognise a repeat, and a missed subscriber is worse than a duplicate)
  it is sent again once and counted in ``doubts`` so the run reports it as a
  possible duplicate; a second doubt, or a provider without that rule, is ``unknown``.

Without stages every such delivery is ``unknown``, as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, case, update

from digest.store import schema
from digest.store.rows import now_utc
from digest.store.sendpath import HANDED

NOT_HANDED = "not delivered: the sender stopped before handing it over; sent again"
RESENT = "possible duplicate: the sender stopped after handing it over, before the answer; sent again once"
UNKNOWN = "the sender stopped during the call; check before resending"
UNKNOWN_AGAIN = "handed over again without an answer after a resend; check before resending"


def recover(conn: Connection, stuck: Any, staged: bool, resend_doubtful: bool = False) -> int:
    """Settle the ``sending`` rows matching ``stuck`` (a SQL condition); returns how many."""
    d = schema.deliveries
    common: dict[str, Any] = {"lease_until": None, "updated_at": now_utc()}
    again: dict[str, Any] = {
        **common,
        "status": "pending",
        "stage": "",
        "next_attempt_at": 0.0,
        # Not an attempt that failed: the count goes back down.
        "attempts": case((d.c.attempts > 0, d.c.attempts - 1), else_=0),
    }
    total = 0
    if staged:
        total += _run(conn, and_(stuck, d.c.stage != HANDED), {**again, "last_error": NOT_HANDED})
    if staged and resend_doubtful:
        first = and_(stuck, d.c.stage == HANDED, d.c.doubts == 0)
        total += _run(conn, first, {**again, "doubts": d.c.doubts + 1, "last_error": RESENT})
    note = case((d.c.doubts > 0, UNKNOWN_AGAIN), else_=UNKNOWN) if resend_doubtful else UNKNOWN
    total += _run(conn, stuck, {**common, "status": "unknown", "last_error": note})
    return total


def _run(conn: Connection, where: Any, values: dict[str, Any]) -> int:
    result = conn.execute(update(schema.deliveries).where(where).values(**values))
    return max(result.rowcount, 0)
