"""What `digest run` does on each trigger, and the jobs it declares from settings.

Jobs are declared again from `.env` at every start into APScheduler's memory job
store: nothing is pickled, so nothing goes stale and a renamed function cannot
delete a job. These jobs, all idempotent:

- ``digest``: the cron line DIGEST_SCHEDULE (in DIGEST_TIMEZONE);
- ``watchdog``: every 15 minutes and once right at start, the same check, which
  catches up a slot missed while nothing was running (and APScheduler's own
  silent misses);
- ``social``: DIGEST_SOCIAL_SCHEDULE, when set;
- ``bounces``: every 15 minutes, when DIGEST_BOUNCE_MAILBOX is set (:mod:`digest.jobs.bounce_job`);

and, when a send failed for a reason that can pass or a cap held it back, a one-off ``wake``
at the time the check names (:attr:`CheckResult.wake_at`), so the back-off and the caps'
windows are kept between watchdog looks.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digest.attempts import owner_id
from digest.clock import now as current_time
from digest.config import Settings
from digest.deliver.bounces import BounceOptions
from digest.deliver.receipt import send_receipts
from digest.jobs.alerts import Alert, raise_alert, resolve
from digest.jobs.bounce_job import read_bounce_mailbox
from digest.jobs.digest_job import CHECK_EVERY, CheckResult, check_digest
from digest.jobs.social_job import publish_social
from digest.jobs.source_watch import watch_sources
from digest.providers import Provider, make_provider
from digest.store import Engine
from digest.store.scheduler import record_heartbeat

log = logging.getLogger("digest.jobs")

WATCHDOG = CHECK_EVERY


class Runner:
    """Runs checks one at a time per process and stops cleanly when asked."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        mode: str = "daemon",
        clock: Callable[[], datetime] = current_time,
        provider_factory: Callable[[Settings], Provider] = make_provider,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.mode = mode
        self.clock = clock
        self.provider_factory = provider_factory
        # --once runs every few minutes from a timer: one row per machine, not one per run.
        self.instance = owner_id() if mode == "daemon" else f"{socket.gethostname()}:once"
        self.stopping = threading.Event()
        # The cron job and the watchdog may fire together; the second waits and
        # then finds the edition done (the ledger makes that safe anyway).
        self._lock = threading.Lock()
        self._started = clock()
        # Unexpected failures of this process's jobs, newest last; `run --once` exits 1 if any.
        self.failures: list[str] = []
        # The daemon's: one extra check at this time (a failed send's next try, a capped send's
        # next window), besides the watchdog's.
        self.wake: Callable[[datetime], None] | None = None

    def check(self, why: str = "schedule") -> CheckResult | None:
        """One digest check (plus social posts when they have no cadence of their own)."""
        with self._lock:
            if self.stopping.is_set():
                return None
            now = self.clock()
            try:
                result = check_digest(
                    self.settings,
                    self.engine,
                    now,
                    provider_factory=self.provider_factory,
                    stop=self.stopping.is_set,
                )
            except Exception as exc:  # keep the daemon alive; the next check retries
                result = CheckResult("", "error", self._unexpected(f"{why} check", exc, now))
            else:
                self._recovered("check", now)
            self._wake_for(result)
            level = logging.WARNING if result.trouble else logging.INFO
            log.log(level, "%s check: %s", why, result.message)
            if not self.settings.social_schedule and not self.stopping.is_set():
                self.social(now)
            if not self.stopping.is_set():
                self.tell(now)
            self._record(now, result.message)
            return result

    def tell(self, now: datetime) -> None:
        """What the volunteer hears besides a send's alerts: a source that keeps failing or went
        silent (or recovered), and each edition's receipt once it is out. Each once."""
        for job, step in (("source watch", watch_sources), ("receipts", send_receipts)):
            try:
                for line in step(self.settings, self.engine, now):
                    log.info("%s", line)
            except Exception as exc:  # keep the daemon alive; the next check tries again
                self._unexpected(f"{job} job", exc, now)

    def social(self, now: datetime | None = None) -> str:
        if self.stopping.is_set():
            return "stopping"
        now = now or self.clock()
        try:
            text = publish_social(self.settings, self.engine, now)
        except Exception as exc:
            return self._unexpected("social posts job", exc, now)
        self._recovered("social", now)
        return text

    def bounces(self) -> str:
        """Read the bounce mailbox (DIGEST_BOUNCE_MAILBOX), when one is set."""
        if self.stopping.is_set():
            return "stopping"
        now = self.clock()
        try:
            return read_bounce_mailbox(self.settings, self.engine, now)
        except Exception as exc:
            return self._unexpected("bounce mailbox job", exc, now)

    def _unexpected(self, job: str, exc: Exception, now: datetime) -> str:
        """An exception the job did not expect: logged with its traceback and raised as an alert.

        The alert is emailed to DIGEST_ALERT_EMAIL and shown by `digest status`, once a day
        per distinct error (the watchdog retries every 15 minutes and must not mail each time).
        """
        log.error("%s failed unexpectedly", job, exc_info=exc)
        what = f"{type(exc).__name__}: {exc}"[:400]
        message = f"the {job} failed unexpectedly ({what}); it is retried, see the log for the traceback"
        self.failures.append(message)
        fingerprint = hashlib.sha256(f"{job}|{what}".encode()).hexdigest()[:12]
        alert = Alert(f"unexpected:{_slug(job)}:{fingerprint}:{now:%Y-%m-%d}", "unexpected", "", message)
        try:
            raise_alert(self.settings, self.engine, alert, now=now)
        except Exception:  # the database may be what failed; the log line above stays
            log.exception("could not record or email the alert")
        return message

    def _recovered(self, job: str, now: datetime) -> None:
        """The job ran cleanly: its unexpected failures are over (their alerts are resolved)."""
        try:
            resolve(self.settings, self.engine, f"the {job} job ran cleanly again", now=now,
                    key_prefix=f"unexpected:{job}:")
        except Exception:  # the database may be what fails; the next run tries again
            log.exception("could not resolve the alerts of the %s job", job)

    def _wake_for(self, result: CheckResult) -> None:
        """Ask the daemon to check again when a failed send is due to be tried again, or a capped
        send's window opens. Only a time still ahead of the machine's clock: a fixed test clock
        must not make it spin."""
        when = result.wake_at
        if when is not None and self.wake is not None and when > datetime.now(when.tzinfo):
            self.wake(when)

    def request_stop(self) -> None:
        self.stopping.set()

    def _record(self, now: datetime, outcome: str, stopped: bool = False) -> None:
        """The instance's heartbeat row, for `digest status`."""
        try:
            record_heartbeat(
                self.engine, self.instance, self.mode, self._started, now, outcome, stopped=stopped
            )
        except Exception:
            log.exception("could not record the scheduler's heartbeat")

    def stopped(self) -> None:
        self._record(self.clock(), "stopped", stopped=True)


def _slug(job: str) -> str:
    """Which job an unexpected failure belongs to, in its alert's key: ``social`` or ``check``."""
    return "social" if job.startswith("social") else "check"


def declare_jobs(scheduler: BaseScheduler, runner: Runner, settings: Settings) -> None:
    """Add the digest, watchdog and (optional) social jobs; the watchdog runs at once."""
    cadence = settings.cadence
    # misfire_grace_time=None: a fire delayed by a suspended machine still runs
    # (the check decides, with DIGEST_MAX_LATENESS); coalesce: once, not once per miss.
    common = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
    scheduler.add_job(runner.check, cadence.trigger, args=["schedule"], id="digest", name="digest", **common)
    scheduler.add_job(
        runner.check,
        IntervalTrigger(seconds=WATCHDOG.total_seconds(), timezone=cadence.zone),
        args=["watchdog"],
        id="watchdog",
        name="catch-up watchdog",
        next_run_time=runner.clock(),
        **common,
    )
    runner.wake = lambda when: wake_for(scheduler, runner, when)
    social = settings.social_cadence
    if social is not None:
        scheduler.add_job(runner.social, social.trigger, id="social", name="social posts", **common)
    if BounceOptions.from_settings(settings) is not None:
        every = IntervalTrigger(seconds=WATCHDOG.total_seconds(), timezone=cadence.zone)
        start = runner.clock() + timedelta(minutes=1)  # after the first check, which may be sending
        scheduler.add_job(
            runner.bounces, every, id="bounces", name="bounce mailbox", next_run_time=start, **common
        )


def wake_for(scheduler: BaseScheduler, runner: Runner, when: datetime) -> None:
    """One check at ``when``, replacing an earlier one: a failed send's next try, or the
    moment a capped send's window lets the rest go."""
    scheduler.add_job(
        runner.check,
        DateTrigger(run_date=when),
        args=["wake"],
        id="wake",
        name="a failed send's retry or a capped send's next window",
        replace_existing=True,
        misfire_grace_time=None,
        coalesce=True,
    )
