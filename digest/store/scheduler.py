"""The scheduler's rows: each instance's heartbeat, the alerts it raised (and their resolution),
and the retries of scheduled sends that failed for a reason that can pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, select, update

from digest.store import schema
from digest.store.rows import insert_ignore
from digest.store.watch import alert_resolutions


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


def resolve_alerts(
    engine: Engine,
    now: datetime,
    resolution: str,
    *,
    edition_key: str | None = None,
    kinds: Sequence[str] = (),
    key_prefix: str = "",
) -> list[dict[str, Any]]:
    """Mark the open alerts that match resolved; returns them (key, kind, message, emailed)."""
    a = schema.alerts
    where: list[ColumnElement[bool]] = [a.c.resolved_at.is_(None)]
    if edition_key is not None:
        where.append(a.c.edition_key == edition_key)
    if kinds:
        where.append(a.c.kind.in_(list(kinds)))
    if key_prefix:
        where.append(a.c.key.startswith(key_prefix, autoescape=True))
    with engine.begin() as conn:
        found = conn.execute(select(a.c.key, a.c.kind, a.c.message, a.c.emailed_at).where(*where)).all()
        keys = [r.key for r in found]
        if keys:
            conn.execute(
                update(a)
                .where(a.c.key.in_(keys), a.c.resolved_at.is_(None))
                .values(resolved_at=now, resolution=resolution[:500])
            )
    return [
        {"key": r.key, "kind": r.kind, "message": r.message, "emailed": r.emailed_at is not None}
        for r in found
    ]


def alert_states(engine: Engine) -> dict[tuple[str, str], bool]:
    """(kind, edition) -> whether every alert of that kind and edition is resolved."""
    states: dict[tuple[str, str], bool] = {}
    for (kind, edition, _message), resolved in alert_resolutions(engine).items():
        states[(kind, edition)] = states.get((kind, edition), True) and resolved
    return states


# -- the schedule's retries of a failed send ----------------------------------
@dataclass(frozen=True)
class Retry:
    """A scheduled send that failed for a reason that can pass: tries made since, and the next."""

    edition_key: str
    tries: int
    failed_at: datetime
    next_at: datetime
    last_error: str


def retry_of(engine: Engine, key: str) -> Retry | None:
    r = schema.send_retries
    with engine.connect() as conn:
        row = conn.execute(select(r).where(r.c.edition_key == key)).first()
    if row is None:
        return None
    return Retry(row.edition_key, row.tries, _aware(row.failed_at), _aware(row.next_at), row.last_error)


def plan_retry(engine: Engine, retry: Retry) -> None:
    """Create or move the edition's retry."""
    r = schema.send_retries
    values = {"tries": retry.tries, "next_at": retry.next_at, "last_error": retry.last_error[:2000]}
    with engine.begin() as conn:
        row = {"edition_key": retry.edition_key, "failed_at": retry.failed_at, **values}
        if insert_ignore(conn, r, [row]) == 0:
            conn.execute(update(r).where(r.c.edition_key == retry.edition_key).values(**values))


def drop_retry(engine: Engine, key: str) -> None:
    r = schema.send_retries
    with engine.begin() as conn:
        conn.execute(r.delete().where(r.c.edition_key == key))


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
