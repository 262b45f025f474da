"""The scheduler's follow-up of an edition that did not fully go out (issues 19 and 21).

After a scheduled send, an edition may be left

- failed (or partly sent) for a reason that can pass: the mail server refused the connection
  or timed out, a 4xx or 429 outlasted the attempts, a server error answered a request that is
  safe to repeat. The schedule tries again after a growing wait (5 minutes, doubling, at most an
  hour; the daemon wakes for it) until DIGEST_MAX_LATENESS after the slot, then gives up with an
  alert. One alert says it failed and when digest tries again;
- partly sent with calls in doubt: settled by `digest send`'s own rules (a campaign's status,
  an idempotency key, or the provider's own records after DIGEST_RECONCILE_AFTER);
- with calls nothing can settle: one alert names the people, for a person.

When the edition is sent after all, its alerts are resolved (`digest status` exits 0 again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from digest.config import Settings
from digest.deliver.modes import can_settle, for_a_person
from digest.deliver.records import Asking
from digest.deliver.resolve import recipients
from digest.deliver.retries import give_up, passing
from digest.deliver.send import SendReport, send_edition
from digest.errors import DigestError, EditionBusy
from digest.jobs.alerts import Alert, raise_alert, resolve
from digest.jobs.results import CheckResult
from digest.jobs.social_job import queue_posts
from digest.providers import Provider
from digest.store import Engine
from digest.store import scheduler as rows
from digest.store.ledger import DeliveryRow, Ledger

log = logging.getLogger("digest.jobs")

FIRST_WAIT = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=1)


def backoff(tries: int) -> timedelta:
    """The wait before scheduled try number ``tries + 1`` after a failure that can pass."""
    return min(FIRST_WAIT * 2 ** min(tries, 10), LONGEST_WAIT)


def follow_up(
    settings: Settings,
    engine: Engine,
    key: str,
    slot: datetime,
    now: datetime,
    provider_factory: Callable[[Settings], Provider],
    stop: Callable[[], bool] | None,
) -> CheckResult:
    """A failed or partly sent edition: try again what can pass when due, settle what can be."""
    status = getattr(Ledger(engine).edition(key), "status", "")
    try:
        provider = provider_factory(settings)
    except DigestError as exc:
        return CheckResult(key, "done", f"{key} is {status}; cannot look at it now: {exc}")
    failing = passing(engine, provider, key)
    if failing and now > slot + settings.max_lateness:
        provider.close()
        return _give_up(settings, engine, provider, failing, now, slot + settings.max_lateness)
    due = bool(failing) and _retry_due(engine, key, now)
    if not due and not can_settle(engine, provider, key, Asking(now.timestamp(), settings.reconcile_after)):
        provider.close()
        return _waiting(settings, engine, provider, key, status, now)
    try:
        report = send_edition(
            settings, engine, provider, key=key, slot=slot, now=now, stop=stop, share=True, reopen=due
        )
    except EditionBusy as exc:
        return CheckResult(key, "busy", str(exc))
    except DigestError as exc:
        return CheckResult(key, "error", f"{key}: sending it again failed: {exc}")
    if report.status in ("sent", "partial"):
        queue_posts(settings, engine, key, report.status, now)  # once; a later call adds nothing
    if report.status == "sent":
        what = "failed deliveries sent again" if due else "unknown deliveries settled"
        log.info("%s: %s; the edition is sent", key, what)
        Ledger(engine).event("info", "settled", f"{what} by the scheduler", key)
    return after_send(settings, engine, provider, report, slot=slot, now=now, retried=due)


def after_send(
    settings: Settings,
    engine: Engine,
    provider: Provider,
    report: SendReport,
    *,
    slot: datetime,
    now: datetime,
    retried: bool,
) -> CheckResult:
    """What a scheduled send left: plan the retry of failures that can pass, raise (once) the alert
    a person needs, resolve the alerts whose cause went away. ``retried``: this run was a retry."""
    key = report.key
    if report.status == "sent":
        rows.drop_retry(engine, key)
        resolve(settings, engine, f"{key} went out", now=now, edition_key=key)
        return CheckResult(key, "sent", report.message)
    if report.status not in ("partial", "failed"):
        return CheckResult(key, report.status, report.message)
    for_person = _alert_for_a_person(settings, engine, provider, key, now)
    failing = passing(engine, provider, key)
    refused = Ledger(engine).counts(key, provider.channel()).get("failed", 0) > len(failing)
    if refused:  # refused for good (a 5xx SMTP answer, a 4xx API answer): reported as before
        raise_alert(settings, engine, Alert(f"partial:{key}", report.status, key, report.message), now=now)
    if not failing:
        rows.drop_retry(engine, key)
        resolve(
            settings, engine, "nothing is left to try again", now=now, edition_key=key, kinds=("send-failed",)
        )
        # Only calls in doubt that digest settles by itself: no trouble to report (yet).
        settling = report.status == "partial" and not refused and not for_person
        return CheckResult(key, "settling" if settling else report.status, report.message)
    return _plan(settings, engine, failing, report, slot=slot, now=now, retried=retried)


def _plan(
    settings: Settings,
    engine: Engine,
    failing: list[DeliveryRow],
    report: SendReport,
    *,
    slot: datetime,
    now: datetime,
    retried: bool,
) -> CheckResult:
    """Failures that can pass: when the schedule tries again, and the one alert that says so."""
    key = report.key
    before = rows.retry_of(engine, key)
    tries = (before.tries + 1 if retried else before.tries) if before else 0
    deadline = slot + settings.max_lateness
    next_at = min(now + backoff(tries), deadline)
    error = failing[0].last_error
    rows.plan_retry(engine, rows.Retry(key, tries, before.failed_at if before else now, next_at, error))
    people = sum(len(recipients(r)) or 1 for r in failing)
    zone = settings.cadence.zone
    message = (
        f"{key}: {people} recipient(s) not sent yet: {error}. This can pass: digest tries again at "
        f"{next_at.astimezone(zone):%Y-%m-%d %H:%M %Z}, then less often, until "
        f"{deadline.astimezone(zone):%Y-%m-%d %H:%M %Z} (DIGEST_MAX_LATENESS); nothing to do unless it lasts"
    )
    raise_alert(settings, engine, Alert(f"retry:{key}", "send-failed", key, message), now=now)
    log.warning("%s", message)
    return CheckResult(key, "retrying" if before else "failed", message, retry_at=next_at)


def _retry_due(engine: Engine, key: str, now: datetime) -> bool:
    """Whether the schedule tries the failures that can pass now (a failure of `digest send` by
    hand, which plans no retry, is tried at the next look)."""
    before = rows.retry_of(engine, key)
    return before is None or before.next_at <= now


def _give_up(
    settings: Settings, engine: Engine, provider: Provider, failing: list[DeliveryRow], now: datetime,
    end: datetime,
) -> CheckResult:
    """Past DIGEST_MAX_LATENESS: the failures stay failed for good, and one alert says so."""
    key = failing[0].edition_key
    give_up(engine, provider, key)
    rows.drop_retry(engine, key)
    people = sum(len(recipients(r)) or 1 for r in failing)
    deadline = end.astimezone(settings.cadence.zone)
    message = (
        f"{key}: {people} recipient(s) still not sent at {deadline:%Y-%m-%d %H:%M %Z}, DIGEST_MAX_LATENESS "
        f"({settings.max_lateness_text}) after the slot ({failing[0].last_error}); digest stopped trying. "
        f"See digest deliveries --edition {key}; if nobody got it, its articles go into the next edition"
    )
    raise_alert(settings, engine, Alert(f"gave-up:{key}", "send-failed", key, message), now=now)
    return CheckResult(key, "failed", message)


def _waiting(
    settings: Settings, engine: Engine, provider: Provider, key: str, status: str, now: datetime
) -> CheckResult:
    """Nothing to do now: say what digest waits for, and raise the alert a person needs."""
    before = rows.retry_of(engine, key)
    if before is not None and passing(engine, provider, key):
        zone = settings.cadence.zone
        when = f"{before.next_at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
        return CheckResult(
            key, "waiting", f"{key} is {status}; digest tries again at {when}", retry_at=before.next_at
        )
    left = _alert_for_a_person(settings, engine, provider, key, now)
    if not left and Ledger(engine).counts(key, provider.channel()).get("unknown"):
        return CheckResult(
            key, "waiting", f"{key} is {status}; {provider.name}'s records are asked again later"
        )
    return CheckResult(key, "done", f"{key} is {status}; nothing digest can settle by itself")


def _alert_for_a_person(
    settings: Settings, engine: Engine, provider: Provider, key: str, now: datetime
) -> int:
    """One alert naming the people whose message nothing can settle (raised once per edition)."""
    left = for_a_person(engine, provider, key, Asking(now.timestamp(), settings.reconcile_after))
    people = [a for r in left for a in recipients(r) or [r.target]]
    if people:
        shown = ", ".join(people[:20]) + (f" and {len(people) - 20} more" if len(people) > 20 else "")
        message = (
            f"{key}: {len(people)} recipient(s) may or may not have got it, and {provider.name} cannot tell: "
            f"{shown}. Check, then digest deliveries resolve --sent or --resend (or on the dashboard)"
        )
        raise_alert(settings, engine, Alert(f"unknown:{key}", "unknown", key, message), now=now)
    return len(people)
