"""Each source's health, as the runs that build an edition found it (``source_health``).

One row per source entry: when it was last read well, the newest item digest has seen from it
(when that item was first seen: a feed that stops publishing goes quiet here), and the failure
in progress: how many runs in a row it failed, since when, and the kind of failure. The source
watch (:mod:`digest.jobs.source_watch`) raises one alert per failure or silence from these rows
and resolves it when the source is well again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from digest.store import schema
from digest.store.rows import insert_ignore


@dataclass(frozen=True)
class SourceCheck:
    """One source entry in one run: its error ("" when read), the error's kind, how many
    articles it gave and when the newest of them was first seen (None: none yet)."""

    source: str
    error: str = ""
    kind: str = ""
    items: int = 0
    newest: datetime | None = None


@dataclass(frozen=True)
class SourceHealth:
    key: str
    source: str
    last_run_at: datetime
    last_ok_at: datetime | None
    last_new_at: datetime | None
    items: int
    failures: int
    failing_since: datetime | None
    error_kind: str
    error: str


def source_key(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:32]


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
    newest = max((t for t in (_aware(row.last_new_at), check.newest) if t is not None), default=None)
    if check.error:
        return {
            "last_run_at": now, "last_new_at": newest, "failures": row.failures + 1,
            "failing_since": _aware(row.failing_since) or now,
            "error_kind": check.kind[:32], "error": check.error[:2000],
        }
    return {
        "last_run_at": now, "last_ok_at": now, "last_new_at": newest, "items": check.items,
        "failures": 0, "failing_since": None, "error_kind": "", "error": "",
    }


def health(engine: Engine, sources: Sequence[str] | None = None) -> list[SourceHealth]:
    """The rows of ``sources`` (every source when None), in the order given (else by source)."""
    h = schema.source_health
    with engine.connect() as conn:
        rows = {r.key: r for r in conn.execute(select(h))}
    if sources is None:
        return [_health(r) for r in sorted(rows.values(), key=lambda r: r.source)]
    keys = [source_key(s) for s in sources]
    return [_health(rows[k]) for k in keys if k in rows]


def _health(r: Any) -> SourceHealth:
    return SourceHealth(
        r.key, r.source, _stamp(r.last_run_at), _aware(r.last_ok_at),
        _aware(r.last_new_at), r.items, r.failures, _aware(r.failing_since), r.error_kind, r.error,
    )


def _stamp(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return None if value is None else _stamp(value)
