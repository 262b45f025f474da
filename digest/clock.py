"""What time it is for everything that depends on the date: periods, windows, due slots.

The wall clock (UTC), unless the environment variable ``DIGEST_TEST_NOW`` holds an ISO 8601
time with its zone (``2027-01-04T02:10:00+00:00``): then the commands and the scheduler's
checks see that fixed instant. The tests set it on the `digest` commands they start, so no
test depends on the day it runs. It is read only when set, from the environment only (never
from `.env`); leases, timeouts and retries keep the real clock.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from digest.errors import ConfigError

ENV = "DIGEST_TEST_NOW"


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    fixed = os.environ.get(ENV)
    return datetime.now(UTC) if not fixed else parse_fixed(fixed)


def timestamp() -> float:
    """The current time in epoch seconds (what the ledger's hand-over times are counted in)."""
    fixed = os.environ.get(ENV)
    return time.time() if not fixed else parse_fixed(fixed).timestamp()


def parse_fixed(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise ConfigError(
            ENV, f"{text!r} is not a time with a zone", "e.g. 2027-01-04T02:10:00+00:00, or unset it"
        )
    return when.astimezone(UTC)
