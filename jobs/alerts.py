"""Loud alerts: logged, recorded for `digest status`, and emailed to DIGEST_ALERT_EMAIL.

Each alert has a key naming the problem (``missed:weekly:2026-W10``). The first
instance to insert that key owns the alert and sends the email; everyone else,
and every later watchdog look, only logs it again at debug level. So an alert is
emailed once, not every 15 minutes and not once per daemon.
"""

from __future__ import annotations

import hashlib
import html
import logging
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from digest.config import Settings
from digest.errors import DigestError
from digest.providers import Provider, make_provider, providers
from digest.providers.base import Content, Outgoing
from digest.store import Engine
from digest.store import scheduler as rows
from digest.store.ledger import Ledger
from digest.store.scheduler import recent_alerts
from digest.types import Recipient

__all__ = ["Alert", "alert_content", "alert_provider", "raise_alert", "recent_alerts"]

log = logging.getLogger("digest.alerts")


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str
    edition_key: str
    message: str


def raise_alert(settings: Settings, engine: Engine, alert: Alert, *, now: datetime) -> bool:
    """Record, log and email ``alert`` unless it was raised before. True if raised now."""
    if not rows.insert_alert(engine, alert.key, alert.kind, alert.edition_key, alert.message, now):
        log.debug("alert already raised: %s", alert.message)
        return False
    log.error("ALERT %s", alert.message)
    Ledger(engine).event("error", alert.kind, alert.message, alert.edition_key)
    if settings.alert_email:
        _email(settings, engine, alert, now)
    return True


def _email(settings: Settings, engine: Engine, alert: Alert, now: datetime) -> None:
    error = ""
    try:
        provider = alert_provider(settings)
        try:
            name, address = parseaddr(settings.alert_email)
            recipient = Recipient(email=address, name=name)
            token = hashlib.sha256(alert.key.encode()).hexdigest()[:40]
            provider.send_batch([Outgoing(alert.key, recipient, alert_content(settings, alert, now))], token)
        finally:
            provider.close()
    except (DigestError, OSError, NotImplementedError) as exc:
        error = str(exc)[:2000] or type(exc).__name__
        log.error("could not email the alert to DIGEST_ALERT_EMAIL: %s", error)
    rows.alert_emailed(engine, alert.key, now, error)


def alert_provider(settings: Settings) -> Provider:
    """The configured provider if it sends single messages; else SMTP (a list provider would
    send the alert to every subscriber)."""
    provider = make_provider(settings)
    if provider.kind == "message":
        return provider
    provider.close()
    smtp = providers().get("smtp")
    if smtp is None:
        raise DigestError(
            f"{settings.provider} sends to a whole list and no SMTP provider is available for alerts"
        )
    return smtp.from_settings(settings)


def alert_content(settings: Settings, alert: Alert, now: datetime) -> Content:
    """The alert as plain text (and the same text, escaped, as HTML)."""
    text = (
        f"{alert.message}\n\n"
        f"Edition: {alert.edition_key or '-'}\n"
        f"When: {now:%Y-%m-%d %H:%M} UTC\n\n"
        "Run `digest status` on the machine that sends the digest for details.\n"
    )
    body = "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n"))
    return Content(
        edition_key=alert.key,
        subject=f"[digest alert] {alert.message[:120]}",
        html=f"<!doctype html><html><body>{body}</body></html>",
        text=text,
        sender=settings.sender,
        date=now,
    )
