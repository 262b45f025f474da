"""Run the real `digest` command line with its clock set to DIGEST_TEST_NOW (ISO 8601).

Like tests/scheduler/slow_digest.py, the only change is a patched collaborator: the
scheduler's clock and the commands' "now". Usage: python tests/journey/at_time.py run --once
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

import digest.jobs.runner as runner
from digest.cli import main
from digest.cli.context import Context

NOW = datetime.fromisoformat(os.environ["DIGEST_TEST_NOW"])


class _Runner(runner.Runner):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("clock", lambda: NOW)
        super().__init__(*args, **kwargs)


runner.Runner = _Runner  # type: ignore[misc]
Context.now = lambda self: NOW  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
