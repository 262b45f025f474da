"""`digest serve`'s side-email worker: a thread that sends what the pages queued.

It drains the queue (:func:`digest.deliver.side_queue.drain`) when a page wakes it and every
few seconds anyway, so a queue left by a stopped server goes out when one starts again. Several
servers on one PostgreSQL database each run one; every email is claimed by one of them only.
"""

from __future__ import annotations

import logging
import threading

from digest import clock
from digest.deliver.side_queue import drain
from digest.serve.site import Site

log = logging.getLogger("digest.serve")

POLL = 5.0  # seconds between looks at the queue when nothing wakes the worker


class SideMailWorker(threading.Thread):
    def __init__(self, site: Site) -> None:
        super().__init__(name="digest-side-mail", daemon=True)
        self.site = site
        self._halt = threading.Event()

    def run(self) -> None:
        s = self.site
        while not self._halt.is_set():
            s.wake.clear()  # a wake-up during the drain below makes the next wait return at once
            try:
                drain(s.settings, s.engine, s.key, clock.now, self._halt.is_set)
            except Exception as exc:  # noqa: BLE001 - the database may be away a moment: try again
                log.error("side-email queue: %s", type(exc).__name__)
            s.wake.wait(POLL)

    def stop(self) -> None:
        self._halt.set()
        self.site.wake.set()
        self.join(timeout=30)
