"""Cadence: standard 5-field cron in a named time zone, slots and period keys.

APScheduler 3's ``CronTrigger.from_crontab`` counts weekdays from Monday = 0,
unlike standard cron (Monday = 1); we translate weekday fields to names
ourselves so `1` means Monday, as every cron manual says. All instant
arithmetic is done in UTC (wall-clock arithmetic resets ``fold`` inside a DST
fall-back hour and can loop forever).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_ALIASES = {
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@monthly": "0 0 1 * *",
    "@hourly": "0 * * * *",
}
_LOOKBACKS = (
    timedelta(hours=2),
    timedelta(days=2),
    timedelta(days=9),
    timedelta(days=33),
    timedelta(days=370),
)


def _day_number(token: str) -> int:
    token = token.strip().lower()
    if token[:3] in _NAMES:
        return _NAMES.index(token[:3])
    value = int(token)
    if not 0 <= value <= 7:
        raise ValueError(f"weekday {value} is out of range 0-7")
    return value % 7


def _weekday_set(field: str) -> set[int]:
    """Expand a standard-cron day-of-week field into day numbers (0 = Sunday)."""
    days: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step < 1:
                raise ValueError("a step must be 1 or more")
        if part == "*":
            first, last = 0, 6
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _day_number(a), _day_number(b)
            if b.strip() == "7":
                last = 7
        else:
            first = last = _day_number(part)
            if step > 1:
                last = 6
        if last < first:
            raise ValueError(f"weekday range {part} runs backwards")
        days.update(d % 7 for d in range(first, last + 1, step))
    return days


def _expand(expr: str) -> list[str]:
    expr = _ALIASES.get(expr.strip().lower(), expr)
    parts = expr.split()
    if len(parts) != 5:
        raise ValueError(
            f"{expr!r} has {len(parts)} fields, not 5; write minute hour day month weekday, "
            "for example '0 9 * * 1' for Mondays at 09:00"
        )
    return parts


@dataclass(frozen=True)
class Cadence:
    """A parsed schedule: the APScheduler trigger plus what it means in words."""

    expr: str
    trigger: CronTrigger
    kind: str  # weekly, daily, monthly or slot: how editions are keyed

    @property
    def zone(self) -> ZoneInfo:
        zone = self.trigger.timezone
        assert isinstance(zone, ZoneInfo)
        return zone


def parse_cadence(expr: str, timezone: str) -> Cadence:
    """Parse a standard cron line. Raises ValueError with a fix-it message."""
    minute, hour, dom, month, dow = _expand(expr)
    if dom != "*" and dow != "*":
        raise ValueError(
            "set either the day of month or the day of week, not both (cron would mean 'either')"
        )
    try:
        days = _weekday_set(dow) if dow != "*" else set()
        dow_field = ",".join(_NAMES[d] for d in sorted(days)) if days else "*"
        trigger = CronTrigger(
            minute=minute,
            hour=hour,
            day=dom,
            month=month,
            day_of_week=dow_field,
            timezone=ZoneInfo(timezone),
        )
    except ValueError as exc:
        raise ValueError(f"{expr!r} is not a valid cron line ({exc})") from None
    single_time = minute.isdigit() and hour.isdigit()
    if single_time and len(days) == 1 and dom == "*" and month == "*":
        kind = "weekly"
    elif single_time and dom.isdigit() and dow == "*":
        kind = "monthly"
    elif single_time and dom == "*" and dow == "*":
        kind = "daily"
    else:
        kind = "slot"
    return Cadence(expr=expr, trigger=trigger, kind=kind)


def validate_cron(raw: str) -> str:
    """Config parser: check the line (in UTC; the zone is checked on its own)."""
    parse_cadence(raw, "UTC")
    return raw.strip()


def next_slots(cadence: Cadence, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times strictly after ``after``, as aware UTC datetimes."""
    slots: list[datetime] = []
    previous: datetime | None = None
    now = after.astimezone(UTC) + timedelta(microseconds=1)
    while len(slots) < count:
        fire = cadence.trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        fire_utc = fire.astimezone(UTC)
        slots.append(fire_utc)
        previous = fire
        now = fire_utc + timedelta(microseconds=1)
    return slots


def last_due_slot(cadence: Cadence, now: datetime) -> datetime | None:
    """The most recent fire time at or before ``now`` (UTC), or None within a year."""
    now_utc = now.astimezone(UTC)
    for lookback in _LOOKBACKS:
        cursor = now_utc - lookback
        found: datetime | None = None
        previous: datetime | None = None
        while True:
            fire = cadence.trigger.get_next_fire_time(previous, cursor)
            if fire is None or fire.astimezone(UTC) > now_utc:
                break
            found = fire.astimezone(UTC)
            previous = fire
            cursor = found + timedelta(microseconds=1)
        if found is not None:
            return found
    return None


def period_key(cadence: Cadence, slot: datetime) -> str:
    """Name the period a slot belongs to, from its local date.

    A DST fall-back double fire and a catch-up racing a normal fire give the same
    slot's period and so the same key.
    """
    local = slot.astimezone(cadence.zone)
    if cadence.kind == "weekly":
        year, week, _ = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    if cadence.kind == "monthly":
        return f"monthly:{local:%Y-%m}"
    if cadence.kind == "daily":
        return f"daily:{local:%Y-%m-%d}"
    return f"slot:{local:%Y-%m-%dT%H:%M}"


def describe(cadence: Cadence) -> str:
    """The cadence in plain words, e.g. 'every Monday at 09:00 (Asia/Seoul)'."""
    minute, hour, dom, month, dow = _expand(cadence.expr)
    zone = cadence.zone.key
    if minute.isdigit() and hour.isdigit():
        at = f"at {int(hour):02d}:{int(minute):02d}"
    else:
        at = f"at minute '{minute}' of hour '{hour}'"
    if dow != "*":
        names = [
            ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][d]
            for d in sorted(_weekday_set(dow))
        ]
        when = "every " + ", ".join(names)
    elif dom != "*":
        when = f"on day {dom} of the month"
    else:
        when = "every day"
    if month != "*":
        when += f" in month {month}"
    return f"{when} {at} ({zone})"


def plan(cadences: dict[str, Cadence | None], now: datetime, count: int) -> dict[str, Any]:
    """Each cadence that is set ("email", "social") with its next ``count`` runs: `digest schedule`."""
    out: dict[str, Any] = {}
    for name, cadence in cadences.items():
        if cadence is None:
            continue
        out[name] = {
            "cron": cadence.expr,
            "description": describe(cadence),
            "next": [
                {"local": slot.astimezone(cadence.zone).isoformat(), "utc": slot.isoformat()}
                for slot in next_slots(cadence, now, count)
            ],
        }
    return out
