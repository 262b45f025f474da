"""`digest send`: build (once), freeze, snapshot recipients, dispatch, finalise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import Connection, Engine

from digest.config import Settings
from digest.deliver.campaign import reconcile, send_campaign_row
from digest.deliver.dispatch import DispatchStats, Policy, dispatch
from digest.deliver.messages import Letters
from digest.pipeline import (
    Built,
    build_edition,
    check_protected,
    current_period,
    refuse_large,
    refuse_protected,
)
from digest.providers.base import Provider, SendResult
from digest.store.ledger import DeliveryRow, EditionRow, Ledger
from digest.subscribers import iter_active, languages
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
) -> SendReport:
    """Send the current period's edition, resuming it if it was interrupted."""
    ledger = Ledger(engine)
    key, slot = current_period(settings, now)
    ledger.ensure_edition(key, slot)
    return send_edition(settings, engine, provider, key=key, slot=slot, now=now, progress=progress, stop=stop)


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
) -> SendReport:
    ledger = Ledger(engine)
    edition = ledger.edition(key)
    assert edition is not None, "ensure_edition first"
    if edition.status == "partial" and _can_settle(ledger, provider, key):
        ledger.set_status(key, "sending", "settling unknown deliveries")
        edition = ledger.edition(key)
        assert edition is not None
    if edition.status in ("sent", "partial", "skipped", "missed"):
        return SendReport(key, edition.status, _already(edition), ledger.counts(key))
    problems: list[tuple[str, str]] = []
    if edition.status == "building":
        built = build_edition(settings, ledger, now=now, key=key, slot=slot, progress=progress)
        problems = built.problems
        if not built.edition.items and not getattr(settings, "send_when_empty", False):
            ledger.set_status(key, "skipped", "nothing new since the last edition")
            ledger.event("info", "skipped", "nothing new since the last edition", key)
            return SendReport(
                key, "skipped", f"{key}: nothing new since the last edition; nothing sent", problems=problems
            )
        bodies = other_languages(settings, engine, built)
        items = [(i.article.id, i.blurb) for i in built.edition.items + built.edition.more]
        r = built.rendered
        ledger.freeze_edition(key, r.subject, r.html, r.text, items, bodies)
        edition = ledger.edition(key)
        assert edition is not None
        if edition.status not in ("ready", "sending"):
            # another instance froze it first and has finished it, or it was marked missed
            return SendReport(key, edition.status, _already(edition), ledger.counts(key))
    if edition.status == "ready":
        _snapshot(settings, engine, ledger, provider, edition)
    stats = _dispatch(settings, ledger, provider, edition, progress, stop)
    return _finalise(ledger, key, stats, problems)


def other_languages(settings: Settings, engine: Engine, built: Built) -> dict[str, tuple[str, str, str]]:
    """Render the edition in every further language subscribers asked for; refuse protected terms.

    Everything is rendered and checked before anything is frozen, so a protected
    name in any language stops the whole send (exit status 3).
    """
    from digest.render.email import render_email
    from digest.render.env import template_env

    refuse_protected(built.hits)
    refuse_large(settings, built.rendered)
    default = getattr(built.rendered, "language", settings.language)
    wanted = [lang for lang in languages(engine) if lang and lang != default]
    bodies: dict[str, tuple[str, str, str]] = {}
    env = template_env(getattr(settings, "templates_dir", None))
    for lang in wanted:
        rendered = render_email(built.edition, settings, env, language=lang)
        refuse_protected(check_protected(settings, built.edition, rendered))
        refuse_large(settings, rendered)
        bodies[lang] = (rendered.subject, rendered.html, rendered.text)
    return bodies


def _can_settle(ledger: Ledger, provider: Provider, key: str) -> bool:
    """Unknown deliveries a later run can settle safely: a campaign's status can be read,
    an idempotent provider can repeat the call."""
    unknown = ledger.counts(key, channel_of(provider)).get("unknown", 0)
    return bool(unknown) and (provider.kind == "campaign" or provider.idempotent)


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
    if not batch and number == 0:
        batch = [_self_copy(settings)]
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
    """With an empty list, one copy goes to DIGEST_FROM so a first run shows something."""
    name, address = parseaddr(settings.sender)
    return Recipient(email=address, name=name)


def policy_for(settings: Settings, provider: Provider) -> Policy:
    return Policy(
        max_attempts=int(getattr(settings, "send_max_attempts", 5)),
        max_wait=float(getattr(settings, "send_max_wait", 300.0)),
        workers=max(provider.connections, 1),
    )


def _dispatch(
    settings: Settings,
    ledger: Ledger,
    provider: Provider,
    edition: EditionRow,
    progress: bool,
    stop: Callable[[], bool] | None = None,
) -> DispatchStats:
    channel = channel_of(provider)
    letters = Letters(settings, edition, ledger.bodies(edition.key))

    def send(row: DeliveryRow) -> SendResult:
        if provider.kind == "campaign":
            return send_campaign_row(ledger, provider, row, letters.campaign())
        return provider.send_batch(letters.batch(row.data()), row.idem_key)

    try:
        if provider.kind == "campaign":
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
                stop=stop,
            )
        finally:
            if bar:
                bar.close()
    finally:
        provider.close()


def _bar(total: int, enabled: bool, unit: str):  # type: ignore[no-untyped-def]
    """A progress bar with rate and ETA on stderr, only on a terminal and for more than one call."""
    if not enabled or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="sending", unit=unit, leave=False)


def _finalise(ledger: Ledger, key: str, stats: DispatchStats, problems: list[tuple[str, str]]) -> SendReport:
    counts = ledger.counts(key)
    open_rows = counts.get("pending", 0) + counts.get("sending", 0)
    if open_rows:
        return SendReport(
            key,
            "sending",
            f"{key}: {open_rows} deliveries still waiting for a retry; run digest send again later",
            counts,
            stats,
            problems,
        )
    trouble = counts.get("failed", 0) + counts.get("unknown", 0)
    status = "partial" if trouble else "sent"
    reason = _trouble_text(counts) if trouble else ""
    ledger.set_status(key, status, reason)
    ledger.event("warning" if trouble else "info", status, reason or "sent", key)
    text = f"{key}: sent" + (f", but {reason}; see digest status" if trouble else "")
    return SendReport(key, status, text, counts, stats, problems)


def _trouble_text(counts: dict[str, int]) -> str:
    parts = []
    if counts.get("failed"):
        parts.append(f"{counts['failed']} failed")
    if counts.get("unknown"):
        parts.append(f"{counts['unknown']} unknown (may or may not have arrived; not resent)")
    return "deliveries " + " and ".join(parts)


def _already(edition: EditionRow) -> str:
    if edition.status in ("skipped", "missed"):
        return f"{edition.key} was skipped ({edition.reason}); nothing sent"
    when = f" at {edition.sent_at:%Y-%m-%d %H:%M} UTC" if edition.sent_at else ""
    return f"{edition.key} was already sent{when}; nothing sent again"
