"""What `digest status` reports: editions, their deliveries counted per channel kind, events,
alerts and the scheduler, plus whether all is well (the command's exit status). Given a
campaign provider, each edition also carries its campaigns' sent and bounce counts as the
provider reports them (``campaigns``; a failed read is a ``warning`` there, never an error)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from digest.config import Settings
from digest.deliver.resolve import EMAIL, SOCIAL, channel_counts, recipient_counts, recipients
from digest.scheduler_status import scheduler_status
from digest.store import Engine
from digest.store.ledger import DeliveryRow, Ledger

if TYPE_CHECKING:
    from digest.providers.base import Provider

# Errors about an edition's email that no longer matter once the edition is sent
# (its unknown deliveries settled or resolved, the login fixed).
SETTLED_KINDS = ("partial", "auth")


def collect(
    settings: Settings, engine: Engine, now: datetime, limit: int, provider: Provider | None = None
) -> dict[str, Any]:
    """Editions with their email deliveries (``deliveries``, ``errors``) and social posts
    (``social``, ``social_errors``) counted apart, events, alerts and the scheduler.

    ``provider``: read the campaigns' statistics from it (network calls; `digest status` only).
    """
    from digest.deliver.campaign import campaign_stats

    ledger = Ledger(engine)
    editions = [_edition(engine, ledger, e) for e in ledger.editions(limit)]
    campaigns = campaign_stats(ledger, provider, [e["key"] for e in editions]) if provider else {}
    for edition in editions:
        edition["campaigns"] = campaigns.get(edition["key"], [])
    events = ledger.recent_events(limit)
    alerts = [ev for ev in events if ev["level"] in ("warning", "error")]
    return {
        "editions": editions,
        "events": events,
        "alerts": alerts,
        "scheduler": scheduler_status(settings.cadence, engine, now),
        "ok": not any(e["status"] in ("partial", "failed", "missed") for e in editions)
        and not any(ev["level"] == "error" and not _settled(ev, editions) for ev in events),
    }


def _edition(engine: Engine, ledger: Ledger, e: Any) -> dict[str, Any]:
    trouble = ledger.deliveries(e.key, statuses=("failed", "unknown"))
    return {
        "key": e.key,
        "status": e.status,
        "reason": e.reason,
        "slot_utc": e.slot_utc.isoformat(),
        "sent_at": e.sent_at.isoformat() if e.sent_at else None,
        "deliveries": channel_counts(engine, e.key, EMAIL),
        "recipients": recipient_counts(engine, e.key),
        "errors": _errors(d for d in trouble if d.channel.startswith(EMAIL)),
        "social": channel_counts(engine, e.key, SOCIAL),
        "social_errors": _errors(d for d in trouble if d.channel.startswith(SOCIAL)),
        # Sent again once after a crash left them handed over without an answer.
        "possible_duplicates": [
            a for d in ledger.doubtful(e.key, EMAIL) for a in recipients(d) or [d.target]
        ],
    }


def _settled(event: dict[str, Any], editions: list[dict[str, Any]]) -> bool:
    sent = {e["key"] for e in editions if e["status"] == "sent"}
    return event["kind"] in SETTLED_KINDS and event["edition"] in sent


def _errors(rows: Iterable[DeliveryRow]) -> list[str]:
    """Up to five distinct last errors."""
    return sorted({d.last_error for d in rows if d.last_error})[:5]
