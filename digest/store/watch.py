"""The watch's reads, as plain SQL both drivers run: the scheduler's instances and alerts, each
source's health and an edition's approval requests (see :mod:`digest.store.overview` for why
`digest status` reads them without SQLAlchemy). Their writes stay with the engine
(:mod:`digest.store.scheduler`, :mod:`digest.store.source_health`, :mod:`digest.store.approvals`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.store.quick import Reads, iso, reader_of, stamp
from digest.store.rows import EditionRow


def recent_runs(source: Reads, limit: int) -> list[dict[str, Any]]:
    """The instances that checked most recently: instance, mode, checked_at (UTC), outcome, stopped_at."""
    sql = (
        "SELECT instance, mode, checked_at, outcome, stopped_at FROM scheduler_runs "
        "ORDER BY checked_at DESC LIMIT :limit"
    )
    return [
        {"instance": i, "mode": m, "checked_at": stamp(c), "outcome": o, "stopped_at": stamp(s)}
        for i, m, c, o, s in reader_of(source).rows(sql, {"limit": limit})
    ]


def recent_alerts(source: Reads, limit: int = 5) -> list[dict[str, Any]]:
    """The newest alerts, for `digest status` and the dashboard (resolved ones say when and how)."""
    sql = (
        "SELECT kind, edition_key, message, raised_at, emailed_at, email_error, resolved_at, resolution "
        "FROM alerts ORDER BY raised_at DESC LIMIT :limit"
    )
    out = []
    for kind, edition, message, raised, emailed, email_error, resolved, resolution in reader_of(source).rows(
        sql, {"limit": limit}
    ):
        out.append(
            {
                "kind": kind,
                "edition": edition,
                "message": message,
                "raised_at": _as_stored(raised),
                "emailed": emailed is not None,
                "email_error": email_error,
                "resolved_at": iso(resolved),
                "resolution": resolution,
            }
        )
    return out


def _as_stored(value: datetime | str | None) -> str:
    """A moment written as the database keeps it: SQLite's naive UTC stays naive (as it always
    showed here), PostgreSQL's aware one keeps its offset."""
    if value is None:
        return ""
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).isoformat()


def alert_resolutions(source: Reads) -> dict[tuple[str, str, str], bool]:
    """(kind, edition, message) -> whether that alert is resolved. Alerts with no edition (a
    source failing, one per source) share a kind: their messages tell them apart."""
    states: dict[tuple[str, str, str], bool] = {}
    sql = "SELECT kind, edition_key, message, resolved_at FROM alerts"
    for kind, edition, message, resolved in reader_of(source).rows(sql):
        states[(kind, edition, message)] = states.get((kind, edition, message), True) and resolved is not None
    return states


# -- each source's health ------------------------------------------------------------------------
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


HEALTH_COLUMNS = (
    "key, source, last_run_at, last_ok_at, last_new_at, items, failures, failing_since, error_kind, error"
)


def health(source: Reads, sources: Sequence[str] | None = None) -> list[SourceHealth]:
    """The rows of ``sources`` (every source when None), in the order given (else by source)."""
    rows = {
        row.key: row
        for row in (_health(r) for r in reader_of(source).rows(f"SELECT {HEALTH_COLUMNS} FROM source_health"))
    }
    if sources is None:
        return sorted(rows.values(), key=lambda r: r.source)
    keys = [source_key(s) for s in sources]
    return [rows[k] for k in keys if k in rows]


def _health(r: tuple[Any, ...]) -> SourceHealth:
    key, source, run, ok, new, items, failures, since, kind, error = r
    last_run = stamp(run)
    assert last_run is not None  # NOT NULL
    return SourceHealth(
        key, source, last_run, stamp(ok), stamp(new), items, failures, stamp(since), kind, error
    )


# -- approval requests -------------------------------------------------------------------------
APPROVED, HELD, WAITING = "approved", "held", "waiting"
_STATE = {"approve": APPROVED, "hold": HELD}


@dataclass(frozen=True)
class Request:
    edition_key: str
    content_sha256: str
    approver: str
    decision: str  # '' (not used yet), approve or hold
    requested_at: datetime
    decided_at: datetime | None


def decisions(source: Reads, key: str) -> list[Request]:
    """Every request and decision of edition ``key``, oldest first."""
    sql = (
        "SELECT edition_key, content_sha256, approver, decision, requested_at, decided_at "
        "FROM approvals WHERE edition_key = :key ORDER BY id"
    )
    out = []
    for edition, sha, approver, decision, requested, decided in reader_of(source).rows(sql, {"key": key}):
        asked = stamp(requested)
        assert asked is not None  # NOT NULL
        out.append(Request(edition, sha, approver, decision, asked, stamp(decided)))
    return out


def state(source: Reads, key: str, sha: str) -> tuple[str, Request | None]:
    """(approved, held or waiting, the decision that says so) for these bytes of edition ``key``."""
    made = [r for r in decisions(source, key) if r.content_sha256 == sha and r.decision and r.decided_at]
    if not made:
        return WAITING, None
    # The latest decision; at the same instant (a fixed clock), the row written later.
    _at, _order, last = max((r.decided_at or r.requested_at, n, r) for n, r in enumerate(made))
    return _STATE[last.decision], last


def state_of(source: Reads, edition: EditionRow) -> tuple[str, Request | None]:
    """approved, held or waiting, for the edition's current bytes (waiting before it is frozen)."""
    if not edition.content_sha256:
        return WAITING, None
    return state(source, edition.key, edition.content_sha256)
