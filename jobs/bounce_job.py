"""The bounce mailbox job: read DIGEST_BOUNCE_MAILBOX at each look of the scheduler.

Late bounces and complaint reports are recorded with the webhooks' policy
(:mod:`digest.deliver.bounces`). A mailbox that cannot be read raises one alert a day
(the job looks every 15 minutes); the reports wait in the mailbox until it can be read.
"""

from __future__ import annotations

import logging
from datetime import datetime

from digest.config import Settings
from digest.deliver.bounces import BounceOptions, check_bounces
from digest.errors import DigestError
from digest.jobs.alerts import Alert, raise_alert
from digest.store import Engine
from digest.store.ledger import Ledger

log = logging.getLogger("digest.jobs")


def read_bounce_mailbox(settings: Settings, engine: Engine, now: datetime) -> str:
    """One look at the bounce mailbox; what it found (empty when no mailbox is set)."""
    options = BounceOptions.from_settings(settings)
    if options is None:
        return ""
    try:
        found = check_bounces(options, engine)
    except DigestError as exc:
        message = f"the bounce mailbox cannot be read: {exc}; the reports wait there until it can"
        log.warning("%s", message)
        alert = Alert(f"bounce-mailbox:{now:%Y-%m-%d}", "bounce-mailbox", "", message)
        raise_alert(settings, engine, alert, now=now)
        return message
    log.info("%s", found.summary())
    if found.reports:
        Ledger(engine).event("info", "bounces", found.summary())
    return found.summary()
