"""The source watch: one alert when a source keeps failing or goes silent, one note when it is
well again (issue 21).

After each run that builds an edition (`digest send`, a scheduled send) the health of every
source in DIGEST_SOURCES is looked at (:mod:`digest.store.source_health`):

- failing DIGEST_SOURCE_ALERT_FAILURES runs in a row raises one alert. Its key names the source
  and when the failure began, so the watchdog and every later run find it raised already and
  the volunteer hears it once, however long it lasts;
- read well again: that alert is resolved, and whoever got it gets one short note;
- read well but nothing new for DIGEST_SOURCE_ALERT_SILENT_WEEKS weeks: one "silent" alert,
  resolved when something new comes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from digest.config import Settings
from digest.jobs.alerts import Alert, raise_alert, resolve
from digest.store import Engine
from digest.store.watch import SourceHealth, health

FAILING, SILENT = "source-failing", "source-silent"


def watch_sources(settings: Settings, engine: Engine, now: datetime) -> list[str]:
    """Raise or resolve the alerts of each configured source; returns what changed, one line each."""
    said: list[str] = []
    for row in health(engine, settings.sources):
        said += _failing(settings, engine, row, now) + _silent(settings, engine, row, now)
    return said


def _failing(settings: Settings, engine: Engine, row: SourceHealth, now: datetime) -> list[str]:
    prefix = f"{FAILING}:{row.key}:"
    limit = settings.source_alert_failures
    if row.failures == 0:
        return _over(settings, engine, FAILING, row, f"{row.source} is read again", now)
    if not limit or row.failures < limit or row.failing_since is None:
        return []
    good = f"last read well {row.last_ok_at:%Y-%m-%d %H:%M} UTC" if row.last_ok_at else "never read well yet"
    message = (
        f"source {row.source} has failed {row.failures} runs in a row since "
        f"{row.failing_since:%Y-%m-%d %H:%M} UTC ({row.error_kind}: {row.error}); {good}. Editions go "
        "out without it and digest tries it again at every run; if it moved, change its address in "
        "DIGEST_SOURCES, or remove it"
    )
    key = f"{prefix}{row.failing_since:%Y%m%dT%H%M}"
    return _raise(settings, engine, Alert(key, FAILING, "", message), now)


def _silent(settings: Settings, engine: Engine, row: SourceHealth, now: datetime) -> list[str]:
    weeks = settings.source_alert_silent_weeks
    if not weeks or row.failures or row.last_new_at is None:
        return []  # a failing source is the other alert's; a source never seen to publish has no "since"
    prefix = f"{SILENT}:{row.key}:"
    if now - row.last_new_at < timedelta(weeks=weeks):
        return _over(settings, engine, SILENT, row, f"{row.source} has something new", now)
    message = (
        f"source {row.source} is read fine but has had nothing new since "
        f"{row.last_new_at:%Y-%m-%d} ({weeks} weeks or more); check that it still publishes there"
    )
    key = f"{prefix}{row.last_new_at:%Y%m%dT%H%M}"
    return _raise(settings, engine, Alert(key, SILENT, "", message), now)


def _raise(settings: Settings, engine: Engine, alert: Alert, now: datetime) -> list[str]:
    """Raise ``alert`` unless it was raised before (the same failure, the same silence)."""
    return [f"alert: {alert.message}"] if raise_alert(settings, engine, alert, now=now) else []


def _over(
    settings: Settings, engine: Engine, kind: str, row: SourceHealth, why: str, now: datetime
) -> list[str]:
    """Resolve the source's open alert of ``kind``; its recipient gets one note."""
    done = resolve(settings, engine, why, now=now, kinds=(kind,), key_prefix=f"{kind}:{row.key}:")
    return [f"resolved: {why}"] if done else []
