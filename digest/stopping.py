"""Stopping a run on a signal (Ctrl-C, SIGTERM): the first asks it to stop at its next safe
point, the second stops the process at once.

A run that sends asks :class:`StopRequest` between two calls, never during one (see
:mod:`digest.deliver.dispatch`), so the first signal never leaves a message half handed over.
The second exits without unwinding: whatever was handed over without an answer stays
recorded as such in the ledger, and the next run settles it by the recovery rule
(:mod:`digest.store.recovery`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Why a sending run stopped at a safe point with work left: a signal (or its lease ran out), a
# person's pause (checked in each claim's transaction), or a sending cap (digest/pacing.py).
INTERRUPTED, PAUSED, CAPPED = "interrupted", "paused", "capped"


class StopRequest:
    """Whether a stop was asked, and by which signal; callable as a run's ``stop`` check."""

    def __init__(self) -> None:
        self._asked = threading.Event()
        self.signum = 0

    def __call__(self) -> bool:
        return self._asked.is_set()

    def ask(self, signum: int = 0) -> None:
        self.signum = signum
        self._asked.set()

    @property
    def exit_code(self) -> int:
        """The shell's status for a process ended by this signal (130 for Ctrl-C)."""
        return 128 + (self.signum or signal.SIGINT)


@contextmanager
def stop_signals(first: Callable[[int], None], second: Callable[[int], None]) -> Iterator[None]:
    """While the block runs, the first SIGINT/SIGTERM calls ``first(signum)`` and any later one
    ``second(signum)`` (which is expected to end the process); the old handlers come back after."""
    asked: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        if asked:
            second(signum)
            return
        asked.append(signum)
        first(signum)

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
