"""Loud alerts: logged, recorded for `digest status`, and emailed to DIGEST_ALERT_EMAIL.

Each alert has a key naming the problem (``missed:weekly:2026-W10``). The first
instance to insert that key owns the alert and sends the email; everyone else,
and every later watchdog look, only logs it again at debug level. So an alert is
emailed once, not every 15 minutes and not once per daemon.

An alert is resolved when its cause is (:func:`resolve`): the edition went out after all,
the job ran cleanly again. A resolved alert no longer makes `digest status` fail, the
dashboard shows it as resolved, and whoever got the alert by email gets one short note.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from digest.config import Settings
from digest.deliver.side_email import SideEmail, send_side_email
from digest.errors import DigestError
from digest.store import Engine
from digest.store import scheduler as rows
from digest.store.ledger import Ledger
from digest.store.watch import recent_alerts
from digest.types import Recipient

__all__ = ["Alert", "raise_alert", "recent_alerts", "resolve"]

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


def resolve(
    settings: Settings,
    engine: Engine,
    resolution: str,
    *,
    now: datetime,
    edition_key: str | None = None,
    kinds: tuple[str, ...] = (),
    key_prefix: str = "",
) -> int:
    """Resolve the open alerts that match (their cause went away); returns how many."""
    done = rows.resolve_alerts(
        engine, now, resolution, edition_key=edition_key, kinds=kinds, key_prefix=key_prefix
    )
    for found in done:
        log.info("resolved: %s (%s)", found["message"], resolution)
        text = f"resolved: {found['message'][:300]} ({resolution})"
        Ledger(engine).event("info", "resolved", text, edition_key or "")
        if found["emailed"] and settings.alert_email:
            message = f"Resolved: {resolution}. It was: {found['message']}"
            note = Alert(f"resolved:{found['key']}", found["kind"], edition_key or "", message)
            _email(settings, engine, note, now, record=False)
    return len(done)


def _email(settings: Settings, engine: Engine, alert: Alert, now: datetime, *, record: bool = True) -> None:
    """The alert emailed through the side-email path (templates/email/alert.*.j2, the ledger);
    a failure is logged and kept with the alert, never raised (the alert itself stands)."""
    name, address = parseaddr(settings.alert_email)
    mail = SideEmail(
        kind="alert",
        to=Recipient(email=address, name=name),
        language=settings.language,
        context={
            "message": alert.message,
            "headline": alert.message[:120],
            "edition_key": alert.edition_key,
            "when": f"{now:%Y-%m-%d %H:%M}",
        },
        key=alert.key,
        idem_key=hashlib.sha256(alert.key.encode()).hexdigest()[:40],
    )
    error = ""
    try:
        send_side_email(settings, engine, mail, now)
    except (DigestError, OSError, NotImplementedError) as exc:
        error = str(exc)[:2000] or type(exc).__name__
        log.error("could not email the alert to DIGEST_ALERT_EMAIL: %s", error)
    if record:
        rows.alert_emailed(engine, alert.key, now, error)
