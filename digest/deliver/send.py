"""`digest send`: snapshot recipients, dispatch, finalise (the edition is built and frozen once
by :mod:`digest.compose.freeze`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from digest.compose.build import current_period
from digest.compose.freeze import NOTHING_NEW, build_and_freeze
from digest.config import Settings
from digest.deliver.campaign import reconcile, send_campaign_row
from digest.deliver.dispatch import DispatchStats, Policy, dispatch
from digest.deliver.firstrun import refuse_empty_list, retire_rehearsal
from digest.deliver.guard import stop_if_protected
from digest.deliver.lease import holding
from digest.deliver.messages import Letters
from digest.deliver.resolve import channel_counts, edition_outcome, recipients, reopen
from digest.errors import AuthError, EditionBusy, ProtectedTermError
from digest.providers.base import Provider, SendResult
from digest.providers.http import CampaignProvider
from digest.store import Connection, Engine
from digest.store.ledger import DeliveryRow, EditionRow, Ledger
from digest.subscribers import iter_active
from digest.types import Recipient


@dataclass
class SendReport:
    key: str
    status: str
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    stats: DispatchStats = field(default_factory=DispatchStats)
    problems: list[tuple[str, str]] = field(default_factory=list)


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
) -> SendReport:
    """Send (or resume) edition ``key`` while holding its lease, so no other run decides about it
    meanwhile; raises EditionBusy (naming the holder) when another run holds it past ``wait``.

    ``share`` (the scheduler's daemons): when another run holds the lease of an edition that
    is sending, help send its pending deliveries instead (see :func:`_share`).
    """
    ledger = Ledger(engine)
    try:
        with holding(ledger, key, wait=wait) as held:

            def halt() -> bool:
                return held.lost or (stop is not None and stop())

            return _send_owned(
                settings, engine, provider, key=key, slot=slot, now=now, progress=progress, stop=halt
            )
    except EditionBusy as busy:
        if share:
            return _share(settings, ledger, provider, key, stop, busy)
        provider.close()  # only taking the lease raises it: nothing was opened or sent
        raise


SHARE_WAIT = 120.0


def _share(
    settings: Settings,
    ledger: Ledger,
    provider: Provider,
    key: str,
    stop: Callable[[], bool] | None,
    busy: EditionBusy,
) -> SendReport:
    """Help the run holding ``key`` send its pending deliveries, deciding nothing about the edition.

    Each delivery is claimed with its own lease, so every call is still made by one process
    only. The edition's status is recorded by whoever holds its lease last: this run tries to
    take it when done, and otherwise leaves it to the holder. While the holder is still
    building the edition, this run waits (up to ``SHARE_WAIT`` seconds) for it to start sending.
    """
    deadline = time.monotonic() + SHARE_WAIT
    edition = ledger.edition(key)
    while edition is not None and edition.status in ("building", "ready") and time.monotonic() < deadline:
        if stop is not None and stop():
            break
        time.sleep(0.5)
        edition = ledger.edition(key)
    if edition is None or edition.status != "sending" or provider.kind == "campaign":
        provider.close()
        raise busy
    try:
        stop_if_protected(settings, ledger, edition, record=False)
    except ProtectedTermError:
        provider.close()
        raise
    stats = _dispatch(settings, ledger, provider, edition, False, stop, owner=False)
    try:
        with holding(ledger, key, wait=10.0):
            return _finalise(ledger.engine, key, stats, [])
    except EditionBusy:
        counts = channel_counts(ledger.engine, key)
        note = f"{key}: sent {stats.sent} deliveries alongside the run holding it, which records the outcome"
        return SendReport(key, "sending", note, counts, stats)


def _send_owned(
    settings: Settings,
    engine: Engine,
    provider: Provider,
    *,
    key: str,
    slot: datetime,
    now: datetime,
    progress: bool = False,
    stop: Callable[[], bool] | None = None,
) -> SendReport:
    ledger = Ledger(engine)
    edition = ledger.edition(key)
    assert edition is not None, "ensure_edition first"
    before = edition.reason if edition.status in ("partial", "failed") else None
    if edition.status == "partial" and can_settle(engine, provider, key):
        ledger.set_status(key, "sending", "settling unknown deliveries")
        edition = ledger.edition(key)
        assert edition is not None
    if edition.status in ("sent", "partial", "skipped", "missed"):
        return SendReport(key, edition.status, _already(edition), channel_counts(engine, key))
    problems: list[tuple[str, str]] = []
    if edition.status in ("building", "ready"):
        refuse_empty_list(engine, provider)
    if edition.status == "building":
        frozen = build_and_freeze(settings, engine, key=key, slot=slot, now=now, progress=progress)
        problems = frozen.problems
        if frozen.skipped:
            message = f"{key}: {NOTHING_NEW}; nothing sent"
            return SendReport(key, "skipped", message, problems=problems)
        edition = frozen.edition
        assert edition is not None
        if edition.status not in ("ready", "sending"):
            # another instance froze it first and has finished it, or it was marked missed
            return SendReport(key, edition.status, _already(edition), channel_counts(engine, key))
    stop_if_protected(settings, ledger, edition)
    if edition.status == "ready":
        _snapshot(settings, engine, ledger, provider, edition)
    refused: list[tuple[int, AuthError]] = []
    stats = _dispatch(settings, ledger, provider, edition, progress, stop, refused)
    if refused:
        _stop_on_auth(engine, key, refused)
    return _finalise(engine, key, stats, problems, unchanged=before)


def can_settle(engine: Engine, provider: Provider, key: str) -> bool:
    """Whether a later run can settle ``key``'s unknown deliveries safely.

    True when some are unknown and either the provider's campaign status can be
    read (:func:`~digest.deliver.campaign.reconcile`) or the provider honours our
    idempotency key, so repeating the call cannot send twice. A non-idempotent
    message provider's unknown stays for staff (`digest deliveries resolve`).
    `digest send` and the scheduler both decide with this.
    """
    unknown = Ledger(engine).counts(key, channel_of(provider)).get("unknown", 0)
    readable = provider.kind == "campaign" and isinstance(provider, CampaignProvider)
    return bool(unknown) and (readable or provider.idempotent)


def channel_of(provider: Provider) -> str:
    return f"email:{provider.name}"


def _targets(settings: Settings, conn: Connection, provider: Provider) -> Iterator[tuple[str, Any]]:
    """One target per call to make: per recipient (batch size 1) or per batch of one language."""
    size = max(provider.batch_size, 1)
    number = 0
    batch: list[Recipient] = []

    def emit() -> tuple[str, Any]:
        nonlocal number
        number += 1
        target = f"to:{batch[0].email}" if size == 1 else f"batch:{number:06d}"
        return target, [[r.email, r.name, r.language] for r in batch]

    for recipient in iter_active(conn):
        if batch and (len(batch) == size or recipient.language != batch[0].language):
            yield emit()
            batch = []
        batch.append(recipient)
    if not batch and number == 0 and provider.name == "outbox":
        batch = [_self_copy(settings)]  # the rehearsal with an empty list: one copy to look at
    if batch:
        yield emit()


def _snapshot(
    settings: Settings, engine: Engine, ledger: Ledger, provider: Provider, edition: EditionRow
) -> None:
    """Record every call to make, before making any, and mark the edition sending (atomically)."""
    channel = channel_of(provider)

    def targets(conn: Connection) -> Iterator[tuple[str, Any]]:
        if provider.kind == "campaign":
            return iter([("campaign", None)])
        return _targets(settings, conn, provider)

    if ledger.snapshot(edition.key, channel, targets):
        ledger.event("info", "sending", f"sending through {provider.name}", edition.key)


def _self_copy(settings: Settings) -> Recipient:
    """With an empty list, the outbox writes one copy to DIGEST_FROM so a first run shows something."""
    name, address = parseaddr(settings.sender)
    return Recipient(email=address, name=name)


def policy_for(settings: Settings, provider: Provider) -> Policy:
    return Policy(
        max_attempts=int(getattr(settings, "send_max_attempts", 5)),
        max_wait=float(getattr(settings, "send_max_wait", 300.0)),
        workers=max(provider.connections, 1),
        staged=provider.records_handover,
        resend_doubtful=provider.resend_in_doubt,
    )


def _dispatch(
    settings: Settings,
    ledger: Ledger,
    provider: Provider,
    edition: EditionRow,
    progress: bool,
    stop: Callable[[], bool] | None = None,
    refused: list[tuple[int, AuthError]] | None = None,
    owner: bool = True,
) -> DispatchStats:
    """Send what is due. A refused login or key (AuthError) stops the run at once: the
    rest would be refused too, and thousands of bad logins can get an account locked.
    Only the lease's ``owner`` settles earlier unknown deliveries first."""
    channel = channel_of(provider)
    letters = Letters(settings, edition, ledger.bodies(edition.key))
    refusals = refused if refused is not None else []

    def send(row: DeliveryRow) -> SendResult:
        try:
            if provider.kind == "campaign":
                return send_campaign_row(ledger, provider, row, letters.campaign())
            return provider.send_batch(letters.batch(row.data()), row.idem_key)
        except AuthError as exc:
            refusals.append((row.id, exc))
            raise

    def halt() -> bool:
        return bool(refusals) or (stop is not None and stop())

    try:
        if not owner:
            pass
        elif provider.kind == "campaign":
            reconcile(ledger, provider, edition.key, channel)
        elif provider.idempotent:
            # Resending with the same key is harmless here, so nothing stays unknown.
            unknown = ledger.deliveries(edition.key, channel, statuses=("unknown",))
            ledger.requeue([d.id for d in unknown], "resent with the same idempotency key")
        pending = ledger.counts(edition.key, channel).get("pending", 0)
        bar = _bar(pending, progress, "message" if provider.batch_size == 1 else "batch")
        try:
            return dispatch(
                ledger,
                edition.key,
                channel,
                send,
                policy=policy_for(settings, provider),
                on_progress=bar.update if bar else None,
                stop=halt,
            )
        finally:
            if bar:
                bar.close()
    finally:
        provider.close()


def _stop_on_auth(engine: Engine, key: str, refused: list[tuple[int, AuthError]]) -> None:
    """After a refused login: if the run left deliveries unsent, put the refused ones back with
    them and raise the error (one line naming the setting); the next run, once it is fixed,
    sends them all. If nothing was left, the refused calls stay failed like any refusal."""
    if not channel_counts(engine, key).get("pending"):
        return
    reopen(engine, [delivery_id for delivery_id, _ in refused], "not sent: the login was refused")
    error = refused[0][1]
    Ledger(engine).event("error", "auth", f"sending stopped: {error}", key)
    raise error


def _bar(total: int, enabled: bool, unit: str):  # type: ignore[no-untyped-def]
    """A progress bar with rate and ETA on stderr, only on a terminal and for more than one call."""
    if not enabled or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="sending", unit=unit, leave=False)


def _finalise(
    engine: Engine,
    key: str,
    stats: DispatchStats,
    problems: list[tuple[str, str]],
    unchanged: str | None = None,
) -> SendReport:
    """Set the edition's status from its email deliveries (social posts are not counted).

    ``unchanged``: the reason of an edition that was ``partial`` before this run;
    when the run settled nothing, the same warning is not recorded again (the
    scheduler looks every 15 minutes).
    """
    ledger = Ledger(engine)
    counts = channel_counts(engine, key)
    status, reason = edition_outcome(counts)
    if status == "sending":
        return SendReport(
            key,
            "sending",
            f"{key}: {reason} (waiting for a retry); run digest send again later",
            counts,
            stats,
            problems,
        )
    ledger.set_status(key, status, reason)
    if reason != unchanged:
        ledger.event("warning" if reason else "info", status, reason or "sent", key)
    see = f"; see digest deliveries --edition {key}"
    text = f"{key}: sent" + (f", but {reason}{see}" if reason else "")
    if reason and not counts.get("sent") and not counts.get("unknown"):
        text = f"{key}: nothing was sent: {reason}{_first_error(ledger, key)}{see}"
    text += _doubts(ledger, key, stats)
    return SendReport(key, status, text, counts, stats, problems)


def _doubts(ledger: Ledger, key: str, stats: DispatchStats) -> str:
    """Name the possible duplicates: messages a crash left without an answer, sent once more."""
    rows = ledger.doubtful(key, "email:")
    if not rows:
        return ""
    who = ", ".join(", ".join(recipients(r)) or r.target for r in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    if stats.recovered:
        message = f"{len(rows)} sent again after a crash: {who}{more}"
        ledger.event("warning", "possible-duplicate", message, key)
    return (
        f"\n{len(rows)} possible duplicate(s): a crash came after the message was handed over and "
        f"before the server answered, so it was sent again once: {who}{more}"
    )


def _first_error(ledger: Ledger, key: str) -> str:
    """When nothing went out, the cause is usually one setting: show the first error."""
    for row in ledger.deliveries(key, statuses=("failed", "unknown")):
        if row.channel.startswith("email:") and row.last_error:
            return f" ({row.last_error})"
    return ""


def _already(edition: EditionRow) -> str:
    if edition.status in ("skipped", "missed"):
        return f"{edition.key} was skipped ({edition.reason}); nothing sent"
    when = f" at {edition.sent_at:%Y-%m-%d %H:%M} UTC" if edition.sent_at else ""
    return f"{edition.key} was already sent{when}; nothing sent again"
