"""What a run of `digest send` reports: the edition's status from its email deliveries, and
the one message that says what happened (and what to do next)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from digest.compose.findings import Finding
from digest.deliver.dispatch import DispatchStats
from digest.deliver.held import held_text, paused_text
from digest.deliver.resolve import channel_counts, edition_outcome, recipients
from digest.pacing import NO_CAPS, Caps
from digest.stopping import PAUSED
from digest.store import Engine
from digest.store.ledger import EditionRow, Ledger


@dataclass
class SendReport:
    key: str
    status: str
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    stats: DispatchStats = field(default_factory=DispatchStats)
    problems: list[tuple[str, str]] = field(default_factory=list)
    # Why the run stopped at a safe point with recipients left ("" when it did not): see
    # digest.deliver.dispatch (interrupted, paused, capped).
    held: str = ""
    resume_at: float | None = None  # capped: when the caps let the rest go (epoch seconds)
    # What the checks reported when this run froze the edition (nothing of it stopped the send).
    reported: list[Finding] = field(default_factory=list)


def finalise(
    engine: Engine,
    key: str,
    stats: DispatchStats,
    problems: list[tuple[str, str]],
    unchanged: str | None = None,
    caps: Caps = NO_CAPS,
    channel: str = "",
    now: datetime | None = None,
) -> SendReport:
    """Set the edition's status from its email deliveries (social posts are not counted).

    ``unchanged``: the reason of an edition that was ``partial`` before this run;
    when the run settled nothing, the same warning is not recorded again (the
    scheduler looks every 15 minutes). ``caps`` and ``channel``: for the outlook of a send the
    caps held back. ``now``: the run's time, the edition's ``sent_at``.
    """
    ledger = Ledger(engine)
    counts = channel_counts(engine, key)
    status, reason = edition_outcome(counts)
    if status == "sending" and stats.stopped:
        text, resume_at = held_text(engine, key, stats.stopped, caps, channel)
        text += _doubts(ledger, key, stats)
        return SendReport(key, "sending", text, counts, stats, problems, stats.stopped, resume_at)
    if status == "sending":
        text = f"{key}: {reason} (waiting for a retry); run digest send again later"
        return SendReport(key, "sending", text, counts, stats, problems)
    ledger.set_status(key, status, reason, now=now)
    if reason != unchanged:
        ledger.event("warning" if reason else "info", status, reason or "sent", key)
    see = f"; see digest deliveries --edition {key}"
    text = f"{key}: sent" + (f", but {reason}{see}" if reason else "")
    if reason and not counts.get("sent") and not counts.get("unknown"):
        text = f"{key}: nothing was sent: {reason}{_first_error(ledger, key)}{see}"
    text += _doubts(ledger, key, stats)
    return SendReport(key, status, text, counts, stats, problems)


def already(engine: Engine, edition: EditionRow) -> SendReport:
    """The report of an edition that an earlier run finished (or that was skipped)."""
    if edition.status in ("skipped", "missed"):
        message = f"{edition.key} was skipped ({edition.reason}); nothing sent"
    else:
        when = f" at {edition.sent_at:%Y-%m-%d %H:%M} UTC" if edition.sent_at else ""
        message = f"{edition.key} was already sent{when}; nothing sent again"
    return SendReport(edition.key, edition.status, message, channel_counts(engine, edition.key))


def paused(engine: Engine, edition: EditionRow) -> SendReport:
    """The report of a run that found its edition paused: it did nothing."""
    counts = channel_counts(engine, edition.key)
    return SendReport(edition.key, edition.status, paused_text(engine, edition.key), counts, held=PAUSED)


def _doubts(ledger: Ledger, key: str, stats: DispatchStats) -> str:
    """Name the possible duplicates: messages a crash left without an answer, sent once more."""
    rows = ledger.doubtful(key, "email:")
    if not rows:
        return ""
    who = ", ".join(", ".join(recipients(r)) or r.target for r in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    if stats.recovered:
        message = f"{len(rows)} sent again after the sender was stopped mid-call: {who}{more}"
        ledger.event("warning", "possible-duplicate", message, key)
    return (
        f"\n{len(rows)} possible duplicate(s): the sender was stopped (a crash, a kill, a second Ctrl-C) "
        f"after the message was handed over and before the server answered, so it was sent again once: "
        f"{who}{more}"
    )


def _first_error(ledger: Ledger, key: str) -> str:
    """When nothing went out, the cause is usually one setting: show the first error."""
    for row in ledger.deliveries(key, statuses=("failed", "unknown")):
        if row.channel.startswith("email:") and row.last_error:
            return f" ({row.last_error})"
    return ""
