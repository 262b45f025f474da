"""Pausing an edition (`digest pause`, the dashboard's Pause button) and resuming it.

A pause is a row in the ledger (:mod:`digest.store.pauses`). Every claim checks it in its own
transaction, so a send in progress, in this process or another instance on the same database,
stops at its next safe point: the messages in flight get their answer, no new one starts. While
the row is there, neither `digest send` nor the schedule continues the edition; `digest resume`
deletes it, and the next `digest send` or scheduler check sends the rest, nobody twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from digest.attempts import dead_owners
from digest.config import Settings
from digest.deliver.pace import sent_of
from digest.errors import DigestError
from digest.store import Engine
from digest.store.ledger import EditionRow, Ledger
from digest.store.rows import UNFINISHED


@dataclass(frozen=True)
class PauseOutcome:
    key: str
    changed: bool  # False: it was already paused (or not paused, for resume)
    message: str


def pause_edition(
    settings: Settings, engine: Engine, now: datetime, key: str | None, by: str
) -> PauseOutcome:
    """Pause ``key``, or the edition being sent, or this period's: the same choice everywhere."""
    ledger = Ledger(engine)
    edition = _to_pause(settings, ledger, now, key)
    changed = ledger.pause(edition.key, by)
    if changed:
        ledger.event("info", "paused", f"paused {by}", edition.key)
    sent, total = sent_of(engine, edition.key)
    so_far = f" ({sent} of {total} recipients sent so far)" if total else ""
    verb = "paused" if changed else "was already paused"
    return PauseOutcome(edition.key, changed, f"{edition.key} {verb}{so_far}. Neither digest send nor the "
                        "schedule continues it until digest resume")


def resume_edition(engine: Engine, key: str | None, by: str) -> PauseOutcome:
    """Lift the pause of ``key``, or of the one paused edition (the latest, if several)."""
    ledger = Ledger(engine)
    paused = ledger.pauses()
    if key is None:
        if not paused:
            raise DigestError("nothing is paused; digest status shows the editions")
        key = max(paused.values(), key=lambda p: p.at).key
    if not ledger.resume(key):
        raise DigestError(f"{key} is not paused; digest status shows the editions")
    ledger.event("info", "resumed", f"resumed {by}", key)
    sent, total = sent_of(engine, key)
    rest = f": {total - sent} of {total} recipients still to send" if total else ""
    return PauseOutcome(key, True, f"{key} resumed{rest}. digest send sends the rest now; the schedule "
                        "(digest run) does at its next check, within 15 minutes")


def wait_until_stopped(engine: Engine, key: str, timeout: float) -> bool:
    """Wait for the runs sending ``key`` to stop (their calls in flight answered); False on time-out."""
    ledger = Ledger(engine)
    deadline = time.monotonic() + timeout
    while True:
        busy = set(ledger.lease_owners(key)) - set(dead_owners(ledger.lease_owners(key)))
        holder = ledger.edition_holder(key)
        if holder is not None and not dead_owners([holder.owner]):
            busy.add(holder.owner)
        if not busy:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def _to_pause(settings: Settings, ledger: Ledger, now: datetime, key: str | None) -> EditionRow:
    if key is not None:
        edition = ledger.edition(key)
        if edition is None:
            raise DigestError(f"there is no edition {key}; digest status lists them")
        if edition.status not in UNFINISHED:
            raise DigestError(f"{key} is {edition.status}; only an edition not yet sent can be paused")
        return edition
    for edition in ledger.editions(20):
        if edition.status in UNFINISHED:
            return edition
    from digest.compose.build import current_period  # the edition pipeline: status never needs it

    key, slot = current_period(settings, now)
    ledger.ensure_edition(key, slot)
    edition = ledger.edition(key)
    assert edition is not None
    if edition.status not in UNFINISHED:
        raise DigestError(
            f"nothing to pause: this period's edition, {key}, is {edition.status}, and no other is "
            "being sent; digest status lists them"
        )
    return edition
