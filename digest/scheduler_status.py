"""The scheduler's part of `digest status`: next run, last checks of each instance, alerts.

It needs only the cadence and the store, so it sits at the foundation: `digest status`,
the dashboard (through :mod:`digest.status`) and the scheduled jobs can all read it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from digest.schedule import Cadence, describe, next_slots
from digest.store.quick import Reads
from digest.store.watch import recent_alerts, recent_runs

# An instance that has not checked for longer than this is shown as not running.
QUIET = timedelta(minutes=20)


def scheduler_status(cadence: Cadence, source: Reads, now: datetime, limit: int = 5) -> dict[str, Any]:
    """The next run of ``cadence`` (DIGEST_SCHEDULE), each scheduler instance's last check, the alerts."""
    upcoming = next_slots(cadence, now, 1)
    instances = []
    for r in recent_runs(source, limit):
        checked = r["checked_at"]
        running = r["stopped_at"] is None and r["mode"] == "daemon" and now - checked < QUIET
        instances.append(
            {
                "instance": r["instance"],
                "mode": r["mode"],
                "checked_at": checked.isoformat(),
                "outcome": r["outcome"],
                "running": running,
            }
        )
    return {
        "schedule": describe(cadence),
        "next_run": {
            "local": upcoming[0].astimezone(cadence.zone).isoformat(),
            "utc": upcoming[0].isoformat(),
            "text": f"{upcoming[0].astimezone(cadence.zone):%Y-%m-%d %H:%M %Z} "
            f"({upcoming[0]:%Y-%m-%d %H:%M} UTC)",
        }
        if upcoming
        else None,
        "instances": instances,
        "alerts": recent_alerts(source, limit),
    }


def lines(data: dict[str, Any]) -> list[str]:
    """The human-readable lines `digest status` prints for the scheduler."""
    out = [f"schedule: {data['schedule']}"]
    nxt = data["next_run"]
    out.append(f"next run: {nxt['text']}" if nxt else "next run: none (the schedule never fires again)")
    if not data["instances"]:
        out.append("scheduler: `digest run` has not run yet")
    for inst in data["instances"]:
        state = "running" if inst["running"] else ("--once" if inst["mode"] == "once" else "stopped")
        checked = datetime.fromisoformat(inst["checked_at"])
        when = f"{checked:%Y-%m-%d %H:%M} UTC"
        out.append(f"scheduler {inst['instance']} ({state}), last check {when}: {inst['outcome']}")
    return out
