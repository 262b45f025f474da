"""The scheduler's rows: each instance's heartbeat and the alerts it raised."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from digest.store import schema
from digest.store.rows import insert_ignore


def record_heartbeat(
    engine: Engine, instance: str, mode: str, started: datetime, now: datetime, outcome: str, *, stopped: bool
) -> None:
    """Create or refresh ``instance``'s row; a stop keeps the last check's outcome."""
    runs = schema.scheduler_runs
    with engine.begin() as conn:
        row = {"instance": instance, "mode": mode, "started_at": started}
        insert_ignore(conn, runs, [{**row, "checked_at": now, "outcome": outcome[:500]}])
        values: dict[str, object] = {"stopped_at": now}
        if not stopped:
            values = {"checked_at": now, "outcome": outcome[:500], "stopped_at": None}
        conn.execute(update(runs).where(runs.c.instance == instance).values(**values))


def recent_runs(engine: Engine, limit: int) -> list[dict[str, Any]]:
    """The instances that checked most recently: instance, mode, checked_at (UTC), outcome, stopped_at."""
    runs = schema.scheduler_runs
    with engine.connect() as conn:
        rows = list(conn.execute(select(runs).order_by(runs.c.checked_at.desc()).limit(limit)))
    return [
        {
            "instance": r.instance,
            "mode": r.mode,
            "checked_at": _aware(r.checked_at),
            "outcome": r.outcome,
            "stopped_at": r.stopped_at,
        }
        for r in rows
    ]


def insert_alert(engine: Engine, key: str, kind: str, edition_key: str, message: str, now: datetime) -> bool:
    """Record an alert under ``key``; False if that key was raised before (someone else owns it)."""
    row = {
        "key": key[:128],
        "kind": kind,
        "edition_key": edition_key,
        "message": message,
        "raised_at": now,
        "email_error": "",
    }
    with engine.begin() as conn:
        return insert_ignore(conn, schema.alerts, [row]) == 1


def alert_emailed(engine: Engine, key: str, now: datetime, error: str) -> None:
    """Whether the alert's email went out: when, or the error that stopped it."""
    values: dict[str, Any] = {"email_error": error} if error else {"emailed_at": now}
    with engine.begin() as conn:
        conn.execute(update(schema.alerts).where(schema.alerts.c.key == key[:128]).values(**values))


def recent_alerts(engine: Engine, limit: int = 5) -> list[dict[str, Any]]:
    """The newest alerts, for `digest status`."""
    a = schema.alerts
    with engine.connect() as conn:
        rows = conn.execute(select(a).order_by(a.c.raised_at.desc()).limit(limit))
        return [
            {
                "kind": r.kind,
                "edition": r.edition_key,
                "message": r.message,
                "raised_at": r.raised_at.isoformat() if r.raised_at else "",
                "emailed": r.emailed_at is not None,
                "email_error": r.email_error,
            }
            for r in rows
        ]


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
