"""One retry policy for email and social: what a failed attempt turns into, and who claims.

A :class:`~digest.errors.ProviderError` from a provider or a platform becomes one
of three ledger states, by the same rule for every channel:

- ``outcome_unknown`` -> ``unknown``: it may have gone out; looked for (social) or
  resolved by a person (email), never blindly sent again;
- ``retryable`` with attempts left (``DIGEST_SEND_MAX_ATTEMPTS``) -> ``pending`` at a
  later time: the service's own wait if it gave one, else capped exponential backoff;
  without attempts left -> ``failed``, marked as a failure that can pass (a later run, or
  the schedule after its back-off, tries it again);
- anything else -> ``failed``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from digest.errors import ProviderError

MAX_ATTEMPTS = 5
MAX_WAIT = 300.0


@dataclass(frozen=True)
class Next:
    """The state a failed attempt leaves: unknown, pending (with ``retry_at``) or failed.

    ``transient``: failed only because the attempts ran out on a reason that can pass (a
    refused connection, a 4xx or 429, a server error): a later run may try it again.
    """

    status: str
    retry_at: float | None = None
    transient: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    """How many tries, and the longest wait between two within a run. The settings make it
    (``settings.retry``: DIGEST_SEND_MAX_ATTEMPTS, DIGEST_SEND_MAX_WAIT, whose defaults are these)."""

    max_attempts: int = MAX_ATTEMPTS
    max_wait: float = MAX_WAIT

    def backoff(self, attempt: int, hint: float | None) -> float:
        return backoff(attempt, hint, self.max_wait)

    def after(self, exc: ProviderError, attempts: int, now: float) -> Next:
        """What attempt number ``attempts`` (counted from 1) failing with ``exc`` leaves."""
        if exc.outcome_unknown:
            return Next("unknown")
        if exc.retryable and attempts < self.max_attempts:
            return Next("pending", now + self.backoff(attempts, exc.retry_after))
        return Next("failed", transient=exc.retryable)


def backoff(attempt: int, hint: float | None, cap: float = MAX_WAIT) -> float:
    """Seconds to wait before the next attempt: the service's hint, else exponential capped at ``cap``.

    A hint is never shortened: if it is longer than the longest in-run wait the run
    ends and the next run picks the delivery up when it is due.
    """
    if hint is not None:
        return max(hint, 0.0)
    return min(2.0 ** max(attempt - 1, 0), cap)


def owner_id() -> str:
    """Who holds a claim in the ledger: this machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def dead_owners(owners: Iterable[str]) -> list[str]:
    """Owners that were processes on this machine and no longer run (crashed senders)."""
    host = socket.gethostname()
    dead = []
    for owner in owners:
        where, _, pid = owner.rpartition(":")
        if where != host or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(owner)
        except PermissionError:
            pass  # alive, another user's
    return dead
