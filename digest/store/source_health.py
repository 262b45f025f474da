"""Each source's health, as the runs that build an edition found it (``source_health``).

One row per source entry: when it was last read well, the newest item digest has seen from it
(when that item was first seen: a feed that stops publishing goes quiet here), and the failure
in progress: how many runs in a row it failed, since when, and the kind of failure. The source
watch (:mod:`digest.jobs.source_watch`) raises one alert per failure or silence from these rows
and resolves it when the source is well again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from digest.store import schema
from digest.store.quick import stamp
from digest.store.rows import insert_ignore
from digest.store.seen import SourceCheck
from digest.store.watch import source_key


def record_checks(engine: Engine, checks: Sequence[SourceCheck], now: datetime) -> None:
    """Fold one run's findings into each source's row (a run that failed adds one to its
    failures in a row; one that read it clears them)."""
    h = schema.source_health
    with engine.begin() as conn:
        for check in checks:
            key = source_key(check.source)
            blank = {"key": key, "source": check.source, "last_run_at": now, "items": 0, "failures": 0,
                     "error_kind": "", "error": ""}
            insert_ignore(conn, h, [blank])
            row = conn.execute(select(h).where(h.c.key == key)).one()
            conn.execute(update(h).where(h.c.key == key).values(**_after(row, check, now)))


def _after(row: Any, check: SourceCheck, now: datetime) -> dict[str, Any]:
    newest = max((t for t in (stamp(row.last_new_at), check.newest) if t is not None), default=None)
    if check.error:
        return {
            "last_run_at": now, "last_new_at": newest, "failures": row.failures + 1,
            "failing_since": stamp(row.failing_since) or now,
            "error_kind": check.kind[:32], "error": check.error[:2000],
        }
    return {
        "last_run_at": now, "last_ok_at": now, "last_new_at": newest, "items": check.items,
        "failures": 0, "failing_since": None, "error_kind": "", "error": "",
    }
