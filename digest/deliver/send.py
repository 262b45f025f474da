"""`digest send`: build (once), freeze, snapshot recipients, dispatch, finalise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy import Engine

from digest.config import Settings
from digest.deliver.dispatch import DispatchStats, dispatch
from digest.deliver.messages import message_for
from digest.pipeline import build_edition, current_period, refuse_protected
from digest.providers.base import Campaign, Outgoing, Provider, SendResult
from digest.store.ledger import DeliveryRow, EditionRow, Ledger
from digest.subscribers import active_recipients
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
) -> SendReport:
    """Send the current period's edition, resuming it if it was interrupted."""
    ledger = Ledger(engine)
    key, slot = current_period(settings, now)
    ledger.ensure_edition(key, slot)
    return send_edition(settings, engine, provider, key=key, slot=slot, now=now, progress=progress)


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
        refuse_protected(built.hits)
        items = [(i.article.id, i.blurb) for i in built.edition.items + built.edition.more]
        ledger.freeze_edition(key, built.rendered.subject, built.rendered.html, built.rendered.text, items)
        edition = ledger.edition(key)
        assert edition is not None
        if edition.status not in ("ready", "sending"):
            # another instance froze it first and has finished it, or it was marked missed
            return SendReport(key, edition.status, _already(edition), ledger.counts(key))
    if edition.status == "ready":
        _snapshot(settings, engine, ledger, provider, edition)
    stats = _dispatch(settings, ledger, provider, edition, progress, stop)
    return _finalise(ledger, key, stats, problems)


def _channel(provider: Provider) -> str:
    return f"email:{provider.name}"


def _snapshot(
    settings: Settings, engine: Engine, ledger: Ledger, provider: Provider, edition: EditionRow
) -> None:
    """Record every call to make, before making any; then mark the edition sending."""
    channel = _channel(provider)
    if provider.kind == "campaign":
        ledger.add_deliveries(edition.key, channel, [("campaign", None)])
    else:
        recipients = active_recipients(engine) or [_self_copy(settings)]
        size = max(provider.batch_size, 1)
        batches = [recipients[i : i + size] for i in range(0, len(recipients), size)]
        targets = [
            (
                f"to:{b[0].email}" if size == 1 else f"batch:{n:06d}",
                [[r.email, r.name, r.language] for r in b],
            )
            for n, b in enumerate(batches, 1)
        ]
        ledger.add_deliveries(edition.key, channel, targets)
    ledger.set_status(edition.key, "sending")
    ledger.event("info", "sending", f"sending through {provider.name}", edition.key)


def _self_copy(settings: Settings) -> Recipient:
    """With an empty list, one copy goes to DIGEST_FROM so a first run shows something."""
    name, address = parseaddr(settings.sender)
    return Recipient(email=address, name=name)


def _dispatch(
    settings: Settings,
    ledger: Ledger,
    provider: Provider,
    edition: EditionRow,
    progress: bool,
    stop: Callable[[], bool] | None = None,
) -> DispatchStats:
    def send(row: DeliveryRow) -> SendResult:
        if provider.kind == "campaign":
            campaign = Campaign(edition.key, edition.subject, edition.html, edition.text)
            return provider.send_campaign(campaign, row.idem_key)
        batch = [
            Outgoing(edition.key, r, message_for(settings, edition, r))
            for r in (Recipient(*fields) for fields in row.data())
        ]
        return provider.send_batch(batch, row.idem_key)

    pending = sum(ledger.counts(edition.key, _channel(provider)).get(s, 0) for s in ("pending",))
    bar = _bar(pending, progress)
    try:
        return dispatch(
            ledger,
            edition.key,
            _channel(provider),
            send,
            on_progress=bar.update if bar else None,
            stop=stop,
        )
    finally:
        provider.close()
        if bar:
            bar.close()


def _bar(total: int, enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="sending", unit="call", leave=False)


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
    reason = f"{trouble} deliveries failed or unknown" if trouble else ""
    ledger.set_status(key, status, reason)
    ledger.event("warning" if trouble else "info", status, reason or "sent", key)
    text = f"{key}: sent" + (f", but {reason}; see digest status" if trouble else "")
    return SendReport(key, status, text, counts, stats, problems)


def _already(edition: EditionRow) -> str:
    if edition.status in ("skipped", "missed"):
        return f"{edition.key} was skipped ({edition.reason}); nothing sent"
    when = f" at {edition.sent_at:%Y-%m-%d %H:%M} UTC" if edition.sent_at else ""
    return f"{edition.key} was already sent{when}; nothing sent again"
