"""The digest job: look at the last due slot and do what it needs, exactly once.

Called by the cron trigger, by the 15-minute watchdog, at start and by
`digest run --once`; any number of calls, from any number of processes, give the
same outcome, because the ledger (not APScheduler) decides:

- the slot's edition is done (sent, skipped or missed): nothing to do;
- it is partly sent or failed: :func:`~digest.jobs.retry_job.follow_up` tries again what
  failed for a reason that can pass (with a growing wait, within DIGEST_MAX_LATENESS) and
  settles unknown deliveries as `digest send` would (a campaign's status, an idempotency
  key, the provider's own records); what nothing can settle is named in one alert;
- it is due and not later than DIGEST_MAX_LATENESS, or already half sent: send or
  resume it (the period key collapses double fires and racing instances);
- it is later than that and nothing of it went out: mark it missed and alert.

Only the most recent slot is ever considered, so after a long outage one edition
goes out (with everything new since the last one), not one per missed week.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from digest.config import Settings
from digest.deliver.firstrun import retire_rehearsal
from digest.deliver.lease import holding
from digest.deliver.send import SendReport, send_edition
from digest.errors import DigestError, EditionBusy, ProtectedTermError
from digest.jobs.alerts import Alert, raise_alert, resolve
from digest.jobs.approval_job import gate, prepare_next
from digest.jobs.results import TROUBLE, CheckResult
from digest.jobs.retry_job import after_send, follow_up
from digest.jobs.social_job import queue_posts
from digest.providers import Provider, make_provider
from digest.providers.registry import rehearsal_channels
from digest.schedule import Cadence, last_due_slot, next_slots, period_key
from digest.store import Engine
from digest.store.ledger import Ledger

log = logging.getLogger("digest.jobs")

FINISHED = ("sent", "partial", "skipped", "missed", "failed")
# How often the watchdog (and a `digest run --once` timer) looks. A slot sent within this much of
# its time is on time, whichever check sent it; later, it was missed while nothing ran (a catch-up).
CHECK_EVERY = timedelta(minutes=15)

__all__ = ["CHECK_EVERY", "TROUBLE", "CheckResult", "check_digest"]


def check_digest(
    settings: Settings,
    engine: Engine,
    now: datetime,
    *,
    provider_factory: Callable[[Settings], Provider] = make_provider,
    stop: Callable[[], bool] | None = None,
) -> CheckResult:
    """Send, resume or give up on the edition of the last due slot, as of ``now`` (aware); with
    DIGEST_APPROVAL=email, first freeze the coming edition and ask its approvers when it is due
    (:mod:`digest.jobs.approval_job`)."""
    if settings.approval == "email":
        prepare_next(settings, engine, now)
    cadence = settings.cadence
    slot = last_due_slot(cadence, now)
    if slot is None:
        return CheckResult("", "idle", "no scheduled time has come yet")
    key = period_key(cadence, slot)
    ledger = Ledger(engine)
    retire_rehearsal(ledger, settings.provider, key)
    run = _Run(settings, engine, now, provider_factory, stop)
    before = _carry_on(run, key)
    if before is not None:
        return before  # an earlier edition still going out (capped, say): this one waits for it
    edition = ledger.edition(key)
    if edition is not None and edition.status in ("partial", "failed"):
        return follow_up(settings, engine, key, slot, now, provider_factory, stop)
    if edition is not None and edition.status in FINISHED:
        if edition.status == "sent":  # settled by a person meanwhile: its alerts are over
            resolve(settings, engine, f"{key} is sent", now=now, edition_key=key)
        return CheckResult(key, "done", f"{key} is {edition.status}; nothing to do")
    if edition is not None and ledger.pause_of(key) is not None:
        return CheckResult(key, "paused", f"{key} is paused; digest resume lets it go on")
    late = now - slot
    if late > settings.max_lateness and (edition is None or edition.status in ("building", "ready")):
        if not ledger.has_editions(rehearsal_channels(settings.provider), up_to=slot):
            # A fresh install (rehearsals aside): nothing was ever expected, so nothing was missed.
            upcoming = next_slots(cadence, now, 1)
            when = f"{upcoming[0].astimezone(cadence.zone):%Y-%m-%d %H:%M %Z}" if upcoming else "never"
            return CheckResult("", "idle", f"no edition yet; the first one goes out {when}")
        return _give_up(settings, engine, cadence, key, slot, now)
    if ledger.ensure_edition(key, slot) and not ledger.has_event("gap", key):
        _note_gap(ledger, cadence, key, slot)  # once, though a refused send is tried again
    if settings.approval == "email" and (waiting := gate(settings, engine, key, slot, now)):
        return CheckResult(key, "held", waiting)
    if edition is None or edition.status in ("building", "ready"):
        _log_start(key, slot.astimezone(cadence.zone), late)
    return _send(run, key, slot)


def _log_start(key: str, slot: datetime, late: timedelta) -> None:
    if late > CHECK_EVERY:
        log.warning("%s was due %s ago; sending it now (catch-up)", key, _hours(late))
    else:
        log.info("%s is due (%s); sending it", key, f"{slot:%Y-%m-%d %H:%M %Z}")


@dataclass(frozen=True)
class _Run:
    """What one check works with."""

    settings: Settings
    engine: Engine
    now: datetime
    provider_factory: Callable[[Settings], Provider]
    stop: Callable[[], bool] | None

    def send(self, key: str, slot: datetime, provider: Provider) -> SendReport:
        return send_edition(
            self.settings, self.engine, provider, key=key, slot=slot, now=self.now, stop=self.stop, share=True
        )


def _send(run: _Run, key: str, slot: datetime) -> CheckResult:
    """Send or resume ``key`` as `digest send` would, sharing the fan-out with other daemons."""
    settings, engine, now = run.settings, run.engine, run.now
    try:
        provider = run.provider_factory(settings)
        report = run.send(key, slot, provider)
    except EditionBusy as exc:
        return CheckResult(key, "busy", str(exc))  # another run is on it; look again next time
    except ProtectedTermError as exc:
        _alert(settings, engine, now, f"protected:{key}", "protected", key, f"{key} was not sent: {exc}")
        return CheckResult(key, "refused", str(exc))
    except DigestError as exc:
        message = f"{key}: the scheduled send failed: {exc}"
        _alert(settings, engine, now, f"error:{key}:{type(exc).__name__}", "send-failed", key, message)
        return CheckResult(key, "error", message)
    if report.status in ("sent", "partial"):
        queue_posts(settings, engine, key, report.status, now)  # the same stories, as social posts
    if report.held in ("paused", "capped"):
        return CheckResult(key, report.held, report.message, resume_at=report.resume_at)
    return after_send(settings, engine, provider, report, slot=slot, now=now, retried=False)


def _carry_on(run: _Run, key: str) -> CheckResult | None:
    """Finish an earlier edition that started going out and is not done (the caps held it back
    past the next slot, or a send was stopped and never resumed), before ``key`` starts: those
    who have it and those who do not get the same edition, and the caps are shared. None when
    there is none, or it is done now; a paused one is left to its pause."""
    ledger = Ledger(run.engine)
    paused = ledger.pauses()
    for edition in reversed(ledger.editions(20)):
        if edition.key != key and edition.status == "sending" and edition.key not in paused:
            result = _send(run, edition.key, edition.slot_utc)
            return result if result.outcome in ("sending", "capped", "paused", "busy", "error") else None
    return None


def _give_up(
    settings: Settings, engine: Engine, cadence: Cadence, key: str, slot: datetime, now: datetime
) -> CheckResult:
    ledger = Ledger(engine)
    zone = cadence.zone
    reason = (
        f"not sent: it was due {slot.astimezone(zone):%Y-%m-%d %H:%M %Z} and digest was not running "
        f"until {now.astimezone(zone):%Y-%m-%d %H:%M %Z}, {_hours(now - slot)} late "
        f"(DIGEST_MAX_LATENESS is {settings.max_lateness_text}); its articles go into the next edition"
    )
    ledger.ensure_edition(key, slot)
    try:
        with holding(ledger, key):  # a run still building it decides, not us
            marked = ledger.mark_missed(key, reason)
    except EditionBusy as exc:
        return CheckResult(key, "busy", str(exc))
    if marked:
        _alert(settings, engine, now, f"missed:{key}", "missed", key, f"{key} was {reason}")
    return CheckResult(key, "missed", f"{key} was {reason}")


def _note_gap(ledger: Ledger, cadence: Cadence, key: str, slot: datetime) -> None:
    """Say which earlier periods had no edition because nothing was running (a warning)."""
    earlier = [e for e in ledger.editions(5) if e.key != key and e.slot_utc < slot]
    if not earlier:
        return  # the very first edition: nothing was expected before it
    between = [s for s in next_slots(cadence, earlier[0].slot_utc, 60) if s < slot]
    keys = sorted({period_key(cadence, s) for s in between} - {key, earlier[0].key})
    if keys:
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        message = (
            f"digest was not running for {len(keys)} scheduled edition(s) ({shown}); "
            f"one catch-up edition, {key}, carries everything new since {earlier[0].key}"
        )
        log.warning("%s", message)
        ledger.event("warning", "gap", message, key)


def _alert(
    settings: Settings, engine: Engine, now: datetime, alert_key: str, kind: str, key: str, message: str
) -> None:
    raise_alert(settings, engine, Alert(alert_key, kind, key, message), now=now)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f}h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"
