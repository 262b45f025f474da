"""`digest send`: take the edition's lease, build and freeze it once (:mod:`digest.compose.freeze`),
record every call to make, make them, and report.

The provider's mode (:mod:`digest.deliver.modes`) decides what differs between a list we keep
and a list the provider keeps; :mod:`digest.deliver.fanout` makes the calls,
:mod:`digest.deliver.share` lets another run help, :mod:`digest.deliver.report` words the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from digest.compose.build import current_period
from digest.compose.findings import Finding
from digest.compose.freeze import NOTHING_NEW, build_and_freeze
from digest.config import Settings
from digest.deliver.fanout import Refusals, SendOptions, send_pending, snapshot, stop_on_auth
from digest.deliver.firstrun import refuse_empty_list, retire_rehearsal
from digest.deliver.lease import holding
from digest.deliver.modes import Mode, can_settle, mode_for
from digest.deliver.report import SendReport, already, finalise, paused
from digest.deliver.retries import reopen_passing, what_next
from digest.deliver.share import share as share_the_fanout
from digest.errors import DigestError, EditionBusy
from digest.guard import stop_if_protected
from digest.providers.base import Provider
from digest.providers.registry import rehearsal_channels
from digest.store import Engine
from digest.store.ledger import EditionRow, Ledger

FINISHED = ("sent", "partial", "skipped", "missed")

__all__ = ["SendReport", "can_settle", "send_current", "send_edition"]


def send_current(
    settings: Settings,
    engine: Engine,
    provider: Provider,
    *,
    now: datetime,
    progress: bool = False,
    stop: Callable[[], bool] | None = None,
    wait: float = 0.0,
) -> SendReport:
    """Send the current period's edition, resuming it if it was interrupted."""
    ledger = Ledger(engine)
    key, slot = current_period(settings, now)
    retire_rehearsal(ledger, provider.name, key)
    ledger.ensure_edition(key, slot)
    return send_edition(
        settings, engine, provider, key=key, slot=slot, now=now, progress=progress, stop=stop, wait=wait
    )


def send_edition(
    settings: Settings,
    engine: Engine,
    provider: Provider,
    *,
    key: str,
    slot: datetime,
    now: datetime,
    progress: bool = False,
    stop: Callable[[], bool] | None = None,
    wait: float = 0.0,
    share: bool = False,
    reopen: bool = True,
) -> SendReport:
    """Send (or resume) edition ``key`` while holding its lease, so no other run decides about it
    meanwhile; raises EditionBusy (naming the holder) when another run holds it past ``wait``.

    ``share`` (the scheduler's daemons): when another run holds the lease of an edition that
    is sending, help send its pending deliveries instead (see :mod:`digest.deliver.share`).
    ``reopen``: first put back the deliveries that failed for a reason that can pass (a refused
    connection, a 4xx, a server error); the scheduler does so only when its back-off is due.
    """
    ledger = Ledger(engine)
    mode = mode_for(provider)
    try:
        with holding(ledger, key, wait=wait) as held:

            def halt() -> bool:
                return held.lost or (stop is not None and stop())

            return _send_owned(
                settings, engine, mode, key=key, slot=slot, now=now, progress=progress, stop=halt,
                reopen=reopen,
            )
    except EditionBusy as busy:
        if share:
            return share_the_fanout(settings, ledger, mode, key, stop, busy)
        provider.close()  # only taking the lease raises it: nothing was opened or sent
        raise


def _send_owned(
    settings: Settings,
    engine: Engine,
    mode: Mode,
    *,
    key: str,
    slot: datetime,
    now: datetime,
    progress: bool,
    stop: Callable[[], bool],
    reopen: bool = True,
) -> SendReport:
    ledger = Ledger(engine)
    edition = ledger.edition(key)
    assert edition is not None, "ensure_edition first"
    if edition.status not in FINISHED and ledger.pause_of(key) is not None:
        return paused(engine, edition)  # a person holds it: nothing is built, settled or sent
    options = SendOptions.from_settings(settings)
    before = edition.reason if edition.status in ("partial", "failed") else None
    if edition.status in ("partial", "failed") and _follow_up(engine, mode, key, options, now, reopen):
        edition = ledger.edition(key)
        assert edition is not None
    if edition.status in FINISHED:
        return _with_plan(already(engine, edition), engine, mode.provider, options, now)
    problems: list[tuple[str, str]] = []
    noted: list[Finding] = []
    if edition.status == "ready":
        refuse_empty_list(engine, mode)
    if edition.status == "building":
        frozen = _freeze(settings, engine, mode, key=key, slot=slot, now=now, progress=progress)
        if isinstance(frozen, SendReport):
            return frozen
        edition, problems, noted = frozen
    stop_if_protected(settings, ledger, edition)
    if edition.status == "ready":
        snapshot(ledger, mode, edition, settings.caps.largest_call)
    refused: Refusals = []
    stats = send_pending(ledger, mode, edition, options, progress, stop, refused, now=now)
    stop_on_auth(engine, key, refused)
    channel = mode.provider.channel()
    report = finalise(
        engine, key, stats, problems, unchanged=before, caps=settings.caps, channel=channel, now=now
    )
    report.reported = noted
    return _with_plan(report, engine, mode.provider, options, now)


def _freeze(
    settings: Settings, engine: Engine, mode: Mode, *, key: str, slot: datetime, now: datetime, progress: bool
) -> SendReport | tuple[EditionRow, list[tuple[str, str]], list[Finding]]:
    """Refuse an empty list, then build and freeze the edition: the frozen row, the sources'
    problems and what the checks reported; or the report of an edition with nothing new, or
    that another instance froze and finished first.

    A refusal before anything is frozen (no subscribers, a protected name, too large) leaves no
    edition behind: nothing was recorded before a call that cannot be undone, so the ledger has
    nothing to keep, and `digest status` shows no edition that never was."""
    try:
        refuse_empty_list(engine, mode)
        uncounted = rehearsal_channels(mode.provider.name)
        frozen = build_and_freeze(
            settings, engine, key=key, slot=slot, now=now, progress=progress, uncounted=uncounted
        )
    except DigestError:
        Ledger(engine).drop_unbuilt(key)
        raise
    if frozen.skipped:
        return SendReport(key, "skipped", f"{key}: {NOTHING_NEW}; nothing sent", problems=frozen.problems)
    edition = frozen.edition
    assert edition is not None
    if edition.status not in ("ready", "sending"):
        # another instance froze it first and has finished it, or it was marked missed
        return already(engine, edition)
    return edition, frozen.problems, frozen.reported


def _with_plan(
    report: SendReport, engine: Engine, provider: Provider, options: SendOptions, now: datetime
) -> SendReport:
    """Say what digest does next, by itself, about the edition's unknown and failed deliveries."""
    plan = what_next(engine, provider, report.key, options.asking(now))
    if plan:
        report.message += "\n" + plan
    return report


def _follow_up(
    engine: Engine, mode: Mode, key: str, options: SendOptions, now: datetime, reopen: bool
) -> bool:
    """A partly sent or failed edition goes back to ``sending`` when this run can do more for it:
    failures that can pass are put back (``reopen``), or unknown deliveries can be settled (the
    provider's status, its idempotency key, or its records). True when it did."""
    reopened = reopen and reopen_passing(engine, mode.provider, key) > 0
    if not reopened and not can_settle(engine, mode.provider, key, options.asking(now)):
        return False
    why = "sending again what failed for a reason that can pass" if reopened else "settling unknowns"
    Ledger(engine).set_status(key, "sending", why)
    return True
