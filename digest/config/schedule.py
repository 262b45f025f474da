"""Settings of the scheduler: catch-up limits, alerts, logging and the social cadence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from digest import clock
from digest.config.base import choice, int_range, parse_bool, parse_email, setting
from digest.errors import ConfigError

if TYPE_CHECKING:
    from digest.schedule import Cadence

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(raw: str) -> str:
    """Accept '48h', '2d', '90m' or a bare number of hours; return it normalised ('48h')."""
    text = raw.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([mhd]?)", text)
    if not match:
        raise ValueError(f"{raw!r} is not a duration; write it like 48h, 2d or 90m")
    number, unit = match.groups()
    if float(number) <= 0:
        raise ValueError(f"{raw!r} must be longer than zero")
    # Past a year the value is a typo, and a huge one would overflow the date arithmetic.
    if float(number) * _UNITS[unit or "h"] > 366 * 86400:
        raise ValueError(f"{raw!r} is longer than a year; write it like 48h, 2d or 90m")
    return f"{number}{unit or 'h'}"


def parse_wait(raw: str) -> str:
    """Accept a wait that may be zero, with its unit: '0s', '90s', '5m', '2h', '1d' (or a bare 0)."""
    text = raw.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", text) or re.fullmatch(r"(0+(?:\.0+)?)()", text)
    if not match:
        raise ValueError(f"{raw!r} is not a wait; write it like 5m, 90s, 2h or 0s")
    number, unit = match.groups()
    if float(number) * _UNITS[unit or "s"] > 366 * 86400:
        raise ValueError(f"{raw!r} is longer than a year; write it like 5m, 90s or 0s")
    return f"{number}{unit or 's'}"


def duration(text: str) -> timedelta:
    """The timedelta of a normalised duration such as '48h'."""
    return timedelta(seconds=float(text[:-1]) * _UNITS[text[-1]])


# The check a command that never uses the schedule skips (`digest subscribers`, `deliveries`):
# reading a cron line, and the check that it fires, need APScheduler (issue 24).
SCHEDULE_CHECK = "check_schedule"


def parse_optional_cron(raw: str) -> str:
    from digest.schedule import validate_cron

    return validate_cron(raw)


@dataclass(frozen=True, kw_only=True)
class ScheduleSettings:
    max_lateness_text: str = setting(
        "DIGEST_MAX_LATENESS",
        "48h",
        "How late an edition may still go out after its scheduled time (when digest was not running). "
        "Later than this it is skipped with an alert. Write 48h, 2d or 90m.",
        parse=parse_duration,
        section="Schedule",
    )
    social_schedule: str = setting(
        "DIGEST_SOCIAL_SCHEDULE",
        "",
        "Cron line for publishing social posts, if they should not go out with the email. "
        "Empty: with the email.",
        parse=parse_optional_cron,
        example="0 12 * * tue,thu",
        section="Schedule",
        checked_by=SCHEDULE_CHECK,
    )
    send_when_empty: bool = setting(
        "DIGEST_SEND_WHEN_EMPTY",
        False,
        "Send an edition even when nothing is new since the last one (false: skip it and record why).",
        parse=parse_bool,
        section="Schedule",
    )
    alert_email: str = setting(
        "DIGEST_ALERT_EMAIL",
        "",
        "Who gets an email when an edition is skipped as too late or a scheduled send fails "
        "(sent through DIGEST_PROVIDER, or SMTP when that provider sends to a whole list).",
        parse=parse_email,
        example="office@example.org",
        section="Schedule",
        first_hour=True,
    )
    report_email: str = setting(
        "DIGEST_REPORT_EMAIL",
        "",
        "Who gets the receipt of each edition once it has gone out: how many it reached, who bounced, "
        "complained or left, what is still unknown and what digest does about it, the posts "
        "published, the sources that failed. Empty: DIGEST_ALERT_EMAIL (no receipt if both are empty).",
        parse=parse_email,
        example="office@example.org",
        section="Schedule",
    )
    source_alert_failures: int = setting(
        "DIGEST_SOURCE_ALERT_FAILURES",
        3,
        "A source that fails this many runs in a row raises one alert to DIGEST_ALERT_EMAIL (not "
        "repeated while it lasts; one note when it recovers). 0: never.",
        parse=int_range(0, 1000),
        section="Schedule",
    )
    source_alert_silent_weeks: int = setting(
        "DIGEST_SOURCE_ALERT_SILENT_WEEKS",
        8,
        "A source that is read fine but has had nothing new for this many weeks raises one alert "
        "(one note when something new comes). 0: never.",
        parse=int_range(0, 520),
        section="Schedule",
    )
    log_level: str = setting(
        "DIGEST_LOG_LEVEL",
        "info",
        "How much `digest run` logs to stderr and to logs/digest.log in the data folder: "
        "debug, info, warning or error.",
        parse=choice("debug", "info", "warning", "error"),
        section="Schedule",
    )

    @property
    def receipt_to(self) -> str:
        """Where each edition's receipt goes: DIGEST_REPORT_EMAIL, else DIGEST_ALERT_EMAIL."""
        return self.report_email or self.alert_email

    @property
    def max_lateness(self) -> timedelta:
        return duration(self.max_lateness_text)

    @property
    def social_cadence(self) -> Cadence | None:
        """When posts go out, if not with the email: DIGEST_SOCIAL_SCHEDULE in DIGEST_TIMEZONE."""
        if not self.social_schedule:
            return None
        from digest.schedule import parse_cadence

        return parse_cadence(self.social_schedule, str(getattr(self, "timezone", "UTC")))

    def check_schedule(self) -> None:
        """The cron lines must make sense in the configured zone, not just in UTC."""
        from digest.schedule import last_due_slot, next_slots

        now = clock.now()
        for key, cadence in (
            ("DIGEST_SCHEDULE", getattr(self, "cadence", None)),
            ("DIGEST_SOCIAL_SCHEDULE", self.social_cadence),
        ):
            if cadence is None or next_slots(cadence, now, 1) or last_due_slot(cadence, now) is not None:
                continue
            fix = "use a day and month that exist, e.g. 0 9 * * 1"
            raise ConfigError(key, f"{cadence.expr!r} never fires", fix)
