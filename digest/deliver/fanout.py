"""One run's calls for an edition: record them all first (the snapshot), settle what earlier
runs left unknown, make the calls through the dispatcher, stop at a refused login, feed a
server's refusal of a recipient to the bounce policy (:mod:`digest.deliver.refusals`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.attempts import RetryPolicy
from digest.config import Settings
from digest.deliver.dispatch import DispatchStats, Policy, dispatch
from digest.deliver.messages import Heading, Letters, Links
from digest.deliver.modes import Mode
from digest.deliver.pace import limits_for
from digest.deliver.records import Asking
from digest.deliver.refusals import RefusalBook
from digest.deliver.resolve import channel_counts, reopen
from digest.errors import AuthError, RecipientRefused
from digest.pacing import NO_CAPS, Caps
from digest.providers.base import Provider, SendResult
from digest.stopping import INTERRUPTED
from digest.store import Engine
from digest.store.ledger import DeliveryRow, EditionRow, Ledger
from digest.store.link_refs import make_refs_for_the_list
from digest.store.rows import Question
from digest.store.sendreads import SendReads

Refusals = list[tuple[int, AuthError]]


def snapshot(ledger: Ledger, mode: Mode, edition: EditionRow, largest: int = 0) -> None:
    """Record every call to make, before making any, and mark the edition sending (atomically).
    ``largest``: the most messages one call may carry (the caps' ``largest_call``; 0: any).
    Every reader of a list we keep gets the id its links carry first, so the calls only read them."""
    if mode.owns_list:
        make_refs_for_the_list(ledger.engine)
    if ledger.snapshot(edition.key, mode.provider.channel(), lambda conn: mode.targets(conn, largest)):
        ledger.event("info", "sending", f"sending through {mode.provider.name}", edition.key)


@dataclass(frozen=True)
class SendOptions:
    """What making the calls takes from the settings, read once, just before the calls."""

    heading: Heading
    links: Links
    retry: RetryPolicy
    caps: Caps = Caps()
    reconcile_after: float = 300.0  # DIGEST_RECONCILE_AFTER, seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> SendOptions:
        heading, links = Heading.from_settings(settings), Links.from_settings(settings)
        return cls(heading, links, settings.retry, settings.caps, settings.reconcile_after)

    def policy(self, provider: Provider, clock: Callable[[], float] = time.time) -> Policy:
        return Policy(
            retry=self.retry,
            workers=max(provider.connections, 1),
            staged=provider.records_handover,
            resend_doubtful=provider.resend_in_doubt,
            ahead=provider.prepares_ahead,
            clock=clock,
        )

    def asking(self, now: datetime) -> Asking:
        """When the provider's records may be asked, for a run that started at ``now``."""
        return Asking(now.timestamp(), self.reconcile_after)


def run_clock(now: datetime) -> Callable[[], float]:
    """The run's time as it goes on: ``now`` (the run's start by its clock) plus what has passed."""
    started = time.monotonic()
    return lambda: now.timestamp() + (time.monotonic() - started)


def send_pending(
    ledger: Ledger,
    mode: Mode,
    edition: EditionRow,
    options: SendOptions,
    progress: bool,
    stop: Callable[[], bool] | None = None,
    refused: Refusals | None = None,
    owner: bool = True,
    now: datetime | None = None,
) -> DispatchStats:
    """Send what is due. A refused login or key (AuthError) stops the run at once: the
    rest would be refused too, and thousands of bad logins can get an account locked.
    Only the lease's ``owner`` settles earlier unknown deliveries first (asking the
    provider's records when the run knows its time, ``now``)."""
    provider = mode.provider
    channel = provider.channel()
    reads = SendReads(ledger.engine, options.links.key)
    letters = Letters(options.heading, options.links, edition, reads.refs, ledger.bodies(edition.key))
    refusals = refused if refused is not None else []

    bounces = RefusalBook.start(ledger.engine, options.links.key, options.retry)

    def prepare(row: DeliveryRow) -> Callable[[], SendResult]:
        return Answered(row, mode.prepare(ledger, row, letters, reads.not_to_mail), bounces, refusals)

    def halt() -> bool:
        return bool(refusals) or (stop is not None and stop())

    try:
        with reads:
            if owner:
                mode.settle(ledger, edition.key, channel, options.asking(now) if now else None)
            clock = run_clock(now) if now else time.time
            # The list is read in each claim's transaction; a call built soon after takes that answer.
            ask = reads.question if mode.owns_list else None
            stats = _make_calls(ledger, mode, edition.key, options, prepare, halt, progress, clock, ask)
        if not stats.stopped and stop is not None and stop():
            stats.stopped = INTERRUPTED
        return stats
    finally:
        provider.close()


class Answered:
    """A delivery's prepared call (``inner``, which a provider's lanes may carry) and what its
    answer means for the run: a refused login stops it, a refused recipient goes to the bounce
    policy, an accepted one clears the address's soft refusals."""

    __slots__ = ("bounces", "inner", "refusals", "row")

    def __init__(
        self, row: DeliveryRow, inner: Callable[[], SendResult], bounces: RefusalBook, refusals: Refusals
    ) -> None:
        self.row, self.inner, self.bounces, self.refusals = row, inner, bounces, refusals

    def __call__(self) -> SendResult:
        try:
            result = self.inner()
        except AuthError as exc:
            self.refusals.append((self.row.id, exc))
            raise
        except RecipientRefused as exc:
            raise self.bounces.refused(self.row, exc) from None
        self.bounces.accepted(self.row)
        return result


def _make_calls(
    ledger: Ledger,
    mode: Mode,
    key: str,
    options: SendOptions,
    prepare: Callable[[DeliveryRow], Callable[[], SendResult]],
    halt: Callable[[], bool],
    progress: bool,
    clock: Callable[[], float] = time.time,
    ask: Callable[[Sequence[DeliveryRow]], Question | None] | None = None,
) -> DispatchStats:
    """The dispatcher, with a progress bar and what each claim checks (the pause, the caps: a
    campaign is one call to a list the provider paces itself, so only the pause holds it).
    ``prepare(row)`` readies a delivery's call: the list asked, the messages built."""
    channel = mode.provider.channel()
    caps = options.caps if mode.owns_list else NO_CAPS
    limits = limits_for(ledger.engine, caps, key, channel)
    due = ledger.counts(key, channel).get("pending", 0)
    bar = _bar(due, progress, mode.unit)
    lanes = mode.provider.lanes()
    try:
        return dispatch(
            ledger,
            key,
            channel,
            lambda row: prepare(row)(),
            policy=options.policy(mode.provider, clock),
            on_progress=bar.update if bar else None,
            stop=halt,
            limits=limits,
            prepare=prepare,
            ask=ask,
            lanes=lanes,
        )
    finally:
        if bar:
            bar.close()


def stop_on_auth(engine: Engine, key: str, refused: Refusals) -> None:
    """After a refused login: if the run left deliveries unsent, put the refused ones back with
    them and raise the error (one line naming the setting); the next run, once it is fixed,
    sends them all. If nothing was left, the refused calls stay failed like any refusal."""
    if not refused or not channel_counts(engine, key).get("pending"):
        return
    reopen(engine, [delivery_id for delivery_id, _ in refused], "not sent: the login was refused")
    error = refused[0][1]
    Ledger(engine).event("error", "auth", f"sending stopped: {error}", key)
    raise error


def _bar(total: int, enabled: bool, unit: str) -> Any:
    """A progress bar with rate and ETA on stderr, only on a terminal and for more than one call."""
    if not enabled or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="sending", unit=unit, leave=False)
