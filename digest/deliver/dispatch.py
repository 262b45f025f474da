"""Claim-and-send: the seam a job queue could take over for the fan-out.

Each claimed delivery is marked ``sending`` with a lease in the ledger before
the provider is called. Outcomes map to ledger states:
success -> sent; retryable error -> pending again at a later time;
unknown outcome -> unknown (reconciled by a person or the provider, never
blindly resent); any other error -> failed.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from digest.errors import ProviderError
from digest.providers.base import SendResult
from digest.store.ledger import DeliveryRow, Ledger

MAX_ATTEMPTS = 5
MAX_WAIT = 300.0


@dataclass
class DispatchStats:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempt: int, hint: float | None) -> float:
    """Seconds to wait before the next attempt: the provider's hint, capped, else exponential."""
    if hint is not None:
        return min(max(hint, 0.0), MAX_WAIT)
    return min(2.0**attempt, MAX_WAIT)


def dispatch(
    ledger: Ledger,
    key: str,
    channel: str,
    send: Callable[[DeliveryRow], SendResult],
    *,
    lease: float = 300.0,
    on_progress: Callable[[int], None] | None = None,
    wait: Callable[[float], None] = time.sleep,
    max_attempts: int = MAX_ATTEMPTS,
    stop: Callable[[], bool] | None = None,
) -> DispatchStats:
    """Send every due delivery of (key, channel) until none are left or all wait too long.

    ``stop`` is asked before each claim: when it returns True (SIGTERM), the call in
    flight has been recorded and the rest stay ``pending`` for the next run.
    """
    stats = DispatchStats()
    owner = owner_id()
    ledger.expire_leases(key)
    while True:
        if stop is not None and stop():
            return stats
        claimed = ledger.claim(key, channel, owner, lease=lease)
        if not claimed:
            if not _wait_for_retries(ledger, key, channel, wait):
                return stats
            continue
        for row in claimed:
            _one(ledger, row, send, stats, max_attempts)
            if on_progress:
                on_progress(1)


def _one(
    ledger: Ledger,
    row: DeliveryRow,
    send: Callable[[DeliveryRow], SendResult],
    stats: DispatchStats,
    max_attempts: int,
) -> None:
    try:
        result = send(row)
    except ProviderError as exc:
        if exc.outcome_unknown:
            ledger.finish(row.id, "unknown", error=str(exc))
            stats.unknown += 1
        elif exc.retryable and row.attempts < max_attempts:
            ledger.finish(
                row.id,
                "pending",
                error=str(exc),
                retry_at=time.time() + backoff(row.attempts, exc.retry_after),
            )
            stats.retried += 1
        else:
            ledger.finish(row.id, "failed", error=str(exc))
            stats.failed += 1
        return
    error = "; ".join(f"{addr}: {why}" for addr, why in result.rejected)
    ledger.finish(row.id, "sent", provider_id=result.provider_id, error=error)
    stats.sent += 1


def _wait_for_retries(ledger: Ledger, key: str, channel: str, wait: Callable[[float], None]) -> bool:
    """If pending rows wait for a retry time within MAX_WAIT, sleep until the first; else stop."""
    due = ledger.next_retry_at(key, channel)
    if due is None:
        return False
    delay = due - time.time()
    if delay > MAX_WAIT:
        return False
    wait(max(delay, 0.0))
    return True
