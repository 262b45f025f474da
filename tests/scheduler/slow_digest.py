"""Run the real `digest` command line with a slowed-down outbox, for the daemon tests.

The only changes: each outbox call sends one message, cannot be repeated safely, appends the address to
DIGEST_TEST_SEND_LOG (one line per irreversible call, so a test can count copies
per recipient across processes) and then takes DIGEST_TEST_SEND_DELAY seconds,
long enough for a test to signal or kill the process mid-send.
Usage: python tests/scheduler/slow_digest.py run [--once]
"""

from __future__ import annotations

import os
import sys
import time

from digest.cli import main
from digest.providers.outbox import OutboxProvider

_send = OutboxProvider.send_batch


def slow_send(self, batch, idem_key):  # type: ignore[no-untyped-def]
    result = _send(self, batch, idem_key)
    with open(os.environ["DIGEST_TEST_SEND_LOG"], "a", encoding="utf-8") as log:
        log.write("".join(f"{item.recipient.email} {os.getpid()}\n" for item in batch))
    time.sleep(float(os.environ.get("DIGEST_TEST_SEND_DELAY", "0")))
    return result


OutboxProvider.batch_size = 1  # type: ignore[misc]
# Each call stands for one that cannot be taken back (an SMTP message): repeating it is not
# harmless, so a call in doubt stays for a person instead of being sent again with its key.
OutboxProvider.idempotent = False  # type: ignore[misc]
OutboxProvider.send_batch = slow_send  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
