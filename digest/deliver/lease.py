"""Holding an edition's lease while a run changes its state (see digest/store/leases.py).

`digest send`, the scheduler and a resumed send all go through :func:`holding`: it
takes the lease (waiting up to ``wait`` seconds for another run to finish), renews
it in the background while the run works, and gives it back at the end. A run
that cannot get it raises :class:`~digest.errors.EditionBusy` naming the holder,
having changed nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from digest.attempts import dead_owners, owner_id
from digest.errors import EditionBusy
from digest.store.ledger import Holder, Ledger

LEASE_SECONDS = 120.0  # renewed every quarter of this; a crashed run's lease ends this long after


class Held:
    """The lease a run holds; ``lost`` turns true if it ran out and another run took it."""

    def __init__(self) -> None:
        self._lost = threading.Event()

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def mark_lost(self) -> None:
        self._lost.set()


@contextmanager
def holding(ledger: Ledger, key: str, *, wait: float = 0.0, seconds: float = LEASE_SECONDS) -> Iterator[Held]:
    owner = owner_id()
    _take(ledger, key, owner, wait, seconds)
    held, done = Held(), threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(ledger, key, owner, seconds, held, done), name=f"lease {key}", daemon=True
    )
    renewer.start()
    try:
        yield held
    finally:
        done.set()
        renewer.join(timeout=seconds)
        ledger.release_edition(key, owner)


def _take(ledger: Ledger, key: str, owner: str, wait: float, seconds: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        holder = ledger.take_edition(key, owner, seconds, _is_dead)
        if holder is None:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            raise EditionBusy(busy_message(key, holder))
        time.sleep(min(1.0, left))


def _renew(ledger: Ledger, key: str, owner: str, seconds: float, held: Held, done: threading.Event) -> None:
    while not done.wait(seconds / 4):
        try:
            if not ledger.renew_edition(key, owner, seconds):
                held.mark_lost()
                return
        except Exception:  # a database hiccup: try again next time; the lease lasts `seconds`
            continue


def _is_dead(owner: str) -> bool:
    return bool(dead_owners([owner]))


def busy_message(key: str, holder: Holder) -> str:
    since = datetime.fromtimestamp(holder.since, UTC).strftime("%H:%M:%S UTC")
    return (
        f"{key} is being handled by another run ({holder.owner}, since {since}); nothing was done. "
        "Wait for it to finish (digest status shows it), then run this again"
    )
