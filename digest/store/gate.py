"""The safe-point check of a claim, run in the claim's own transaction (see
:mod:`digest.store.sendpath`): is the edition paused, and how much room do the sending caps
leave (:mod:`digest.pacing`)?

In the claim's transaction, so that every run, and every instance sharing a PostgreSQL database,
sees a pause at its very next claim and counts the same hand-overs; PostgreSQL takes a lock per
provider first, so two instances cannot both take the last room of a window.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Float, Select, bindparam, case, func, select

from digest import clock
from digest.pacing import Used, window_params
from digest.stopping import CAPPED, PAUSED
from digest.store import schema
from digest.store.rows import ClaimSpec

# A statement of GATE by name and its parameters in, the first row (or None) out.
Fetch = Callable[[str, dict[str, Any]], Any]


def gate(fetch: Fetch, claim: ClaimSpec, count: int, postgres: bool) -> tuple[int, str]:
    """How many of ``count`` deliveries may be claimed, and why fewer: "paused" (the edition is
    paused) or "capped" (a sending cap is reached)."""
    limits = claim.limits
    if limits is None:
        return count, ""
    if fetch("pause", {"b_key": claim.key}) is not None:
        return 0, PAUSED
    if not limits.capped:
        return count, ""
    if postgres:
        fetch("lock", {"b_lock": zlib.crc32(claim.channel.encode())})
    row = fetch("window", {"b_channel": claim.channel, **window_params(clock.timestamp())})
    allowed = limits.allowed(Used(*(int(n) for n in row)), count)
    return allowed, CAPPED if allowed < count else ""


@cache
def pause_statement() -> Select[Any]:
    """Whether the edition being claimed is paused."""
    p = schema.edition_pauses
    return select(p.c.edition_key).where(p.c.edition_key == bindparam("b_key"))


@cache
def window_statement() -> Select[Any]:
    """Messages handed over through one channel in the last hour, the last day, and today (UTC)."""
    d = schema.deliveries

    def total(condition: Any = None) -> Any:
        counted = d.c.messages if condition is None else case((condition, d.c.messages), else_=0)
        return func.coalesce(func.sum(counted), 0)

    hour = total(d.c.handed_at > bindparam("b_hour", type_=Float))
    today = total(d.c.handed_at >= bindparam("b_midnight", type_=Float))
    return select(hour, total(), today).where(
        d.c.channel == bindparam("b_channel"), d.c.handed_at > bindparam("b_day", type_=Float)
    )


@cache
def lock_statement() -> Select[Any]:
    """PostgreSQL: one capped claim per provider at a time, across instances (until commit)."""
    return select(func.pg_advisory_xact_lock(bindparam("b_lock")))


GATE: dict[str, Callable[[], Select[Any]]] = {
    "pause": pause_statement, "window": window_statement, "lock": lock_statement,
}
