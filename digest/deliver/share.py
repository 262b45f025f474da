"""Helping the run that holds an edition's lease: the scheduler's daemons share its fan-out."""

from __future__ import annotations

import time
from collections.abc import Callable

from digest.config import Settings
from digest.deliver.fanout import SendOptions, send_pending
from digest.deliver.lease import holding
from digest.deliver.modes import Mode
from digest.deliver.report import SendReport, finalise
from digest.deliver.resolve import channel_counts
from digest.errors import EditionBusy, ProtectedTermError
from digest.guard import stop_if_protected
from digest.store.ledger import Ledger

SHARE_WAIT = 120.0


def share(
    settings: Settings,
    ledger: Ledger,
    mode: Mode,
    key: str,
    stop: Callable[[], bool] | None,
    busy: EditionBusy,
) -> SendReport:
    """Help the run holding ``key`` send its pending deliveries, deciding nothing about the edition.

    Each delivery is claimed with its own lease, so every call is still made by one process
    only. The edition's status is recorded by whoever holds its lease last: this run tries to
    take it when done, and otherwise leaves it to the holder. While the holder is still
    building the edition, this run waits (up to ``SHARE_WAIT`` seconds) for it to start sending.
    A campaign is one call, made by the holder: there is nothing to share.
    """
    deadline = time.monotonic() + SHARE_WAIT
    edition = ledger.edition(key)
    while edition is not None and edition.status in ("building", "ready") and time.monotonic() < deadline:
        if stop is not None and stop():
            break
        time.sleep(0.5)
        edition = ledger.edition(key)
    if edition is None or edition.status != "sending" or not mode.owns_list:
        mode.provider.close()
        raise busy
    try:
        stop_if_protected(settings, ledger, edition, record=False)
    except ProtectedTermError:
        mode.provider.close()
        raise
    stats = send_pending(ledger, mode, edition, SendOptions.from_settings(settings), False, stop, owner=False)
    try:
        with holding(ledger, key, wait=10.0):
            channel = mode.provider.channel()
            return finalise(ledger.engine, key, stats, [], caps=settings.caps, channel=channel)
    except EditionBusy:
        counts = channel_counts(ledger.engine, key)
        note = f"{key}: sent {stats.sent} deliveries alongside the run holding it, which records the outcome"
        return SendReport(key, "sending", note, counts, stats)
