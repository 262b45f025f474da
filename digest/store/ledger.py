"""The send ledger: editions, deliveries and events.

Rules it enforces, whatever triggers it:
- one edition row per period key (duplicate fires insert nothing);
- one delivery row per (edition, channel, target), with an idempotency key that
  never changes across retries;
- a delivery is marked ``sending`` (with a lease) *before* the irreversible call,
  and one whose lease ran out is ``unknown``: reconciled, never blindly resent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from digest.store.deliveries import DeliveryBook
from digest.store.editions import EditionBook
from digest.store.leases import Holder, LeaseBook
from digest.store.pauses import Pause, PauseBook
from digest.store.quick import on_engine
from digest.store.rehearsals import RehearsalBook
from digest.store.rows import (
    DONE_STATUSES,
    TAKEN_STATUSES,
    DeliveryRow,
    EditionRow,
    idem_key,
    insert_ignore,
    now_utc,
)
from digest.store.seen import ArticleBook
from digest.store.side_mails import SideMailBook

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = [
    "DONE_STATUSES",
    "TAKEN_STATUSES",
    "DeliveryRow",
    "EditionRow",
    "Holder",
    "Ledger",
    "Pause",
    "idem_key",
    "insert_ignore",
    "now_utc",
]


class Ledger(EditionBook, DeliveryBook, RehearsalBook, LeaseBook, SideMailBook, PauseBook, ArticleBook):
    """Every read and write of the ledger goes through here (building's own, :class:`ArticleBook`,
    as plain SQL that `digest sources` runs through sqlite3 too)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ArticleBook.__init__(self, on_engine(engine))
