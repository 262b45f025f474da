"""The sending caps for one run, and the outlook of an edition they hold back: how many went,
when the rest can go, and when the last should (see :mod:`digest.pacing`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from digest import clock
from digest.deliver.counts import recipient_counts
from digest.pacing import Caps, Limits, Outlook, Pacer
from digest.store import windows as ledger_windows
from digest.store.quick import Reads


def sent_of(source: Reads, key: str) -> tuple[int, int]:
    """(recipients sent, recipients in all) of edition ``key``'s email deliveries."""
    counts = recipient_counts(source, key)
    people = {s: n for s, n in counts.items() if not s.startswith("campaign")}
    return people.get("sent", 0), sum(people.values())


def limits_for(source: Reads, caps: Caps, key: str, channel: str) -> Limits:
    """What each claim of this run checks: the pause always, the caps when set."""
    if not caps.active:
        return Limits()
    now = clock.timestamp()
    pacer = Pacer(caps, ledger_windows.history(source, channel, now), now)
    return pacer.limits(ledger_windows.largest_pending(source, key, channel))


@dataclass(frozen=True)
class Progress:
    """Where an edition's email stands: recipients sent of all, and when the rest should be out."""

    sent: int
    total: int
    outlook: Outlook

    @property
    def rest(self) -> int:
        return self.total - self.sent

    def resume_text(self) -> str:
        return _when(self.outlook.resume_at)

    def finish_text(self) -> str:
        return _when(self.outlook.finish_at)


def progress_of(source: Reads, caps: Caps, key: str, channel: str, sent: int, total: int) -> Progress:
    """The outlook of ``total - sent`` recipients left: by the caps when they hold the edition
    back, else at the pace this edition has gone so far (no estimate before two hand-overs)."""
    now = clock.timestamp()
    rest = total - sent
    if rest <= 0:
        return Progress(sent, total, Outlook())
    if caps.active:
        pacer = Pacer(caps, ledger_windows.history(source, channel, now), now)
        return Progress(sent, total, pacer.outlook(now, rest))
    span = ledger_windows.handed_span(source, key, channel)
    if span is None or span[1] <= span[0]:
        return Progress(sent, total, Outlook())
    first, last, went = span
    return Progress(sent, total, Outlook(finish_at=now + rest * (last - first) / went))


def _when(at: float | None) -> str:
    if at is None:
        return ""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")
