"""The weekly digest job: send the current period's edition if it is not sent yet."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from digest.config import Settings
from digest.deliver import SendReport, send_current
from digest.providers import make_provider
from digest.store import open_store

log = logging.getLogger("digest.jobs")


def send_due(settings: Settings, now: datetime | None = None) -> SendReport:
    """Run the digest for the period that is due now; safe to call any number of times."""
    engine = open_store(settings.db_url)
    try:
        report = send_current(settings, engine, make_provider(settings), now=now or datetime.now(UTC))
    finally:
        engine.dispose()
    log.info("%s", report.message)
    return report
