"""Loaded by Python only under scripts/at-date.sh (it puts this folder on PYTHONPATH).

libfaketime 0.9.10 (Debian 12's faketime) breaks Python 3.11's ``time.sleep`` when the
monotonic clock is left real, as at-date.sh must (a faked monotonic clock makes every lock
or event wait with a timeout hang): its wrapper of ``clock_nanosleep(CLOCK_MONOTONIC,
TIMER_ABSTIME)`` passes a negative time and the call fails with EINVAL (libfaketime issue
426). ``select`` with a timeout is not affected, so sleeping waits on it instead.
"""

from __future__ import annotations

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


time.sleep = _sleep
