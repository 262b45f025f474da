"""What the sending caps read from the ledger: the hand-over times of one provider's calls
(``deliveries.handed_at``, epoch seconds of digest's clock) and the messages each carried.
Plain SQL both drivers run (see :mod:`digest.store.quick`): `digest status` reads them too."""

from __future__ import annotations

from digest.pacing import DAY, History, day_of
from digest.store.quick import Reads, first_row, reader_of, value


def history(source: Reads, channel: str, now: float) -> History:
    """The last 24 hours' hand-overs through ``channel``, and its busiest UTC day before today."""
    reader = reader_of(source)
    # floor() of a positive number; SQLite has no floor() before 3.35, and its CAST truncates
    day = "floor(handed_at / :day)" if reader.dialect == "postgresql" else "CAST(handed_at / :day AS INTEGER)"
    per_day = (
        "SELECT SUM(messages) AS n FROM deliveries WHERE channel = :channel AND handed_at < :before "
        f"GROUP BY {day}"
    )
    params = {"channel": channel, "before": day_of(now) * DAY, "day": DAY}
    best = value(reader, f"SELECT MAX(n) FROM ({per_day}) AS per_day", params)
    recent = (
        "SELECT handed_at, messages FROM deliveries WHERE channel = :channel AND handed_at > :since "
        "ORDER BY handed_at"
    )
    rows = reader.rows(recent, {"channel": channel, "since": now - DAY})
    handed = [(float(when), int(n)) for when, n in rows]
    return History(handed, int(best or 0))


def largest_pending(source: Reads, key: str, channel: str) -> int:
    """The messages of the largest delivery of ``key`` still to send (1 when none)."""
    sql = (
        "SELECT MAX(messages) FROM deliveries WHERE edition_key = :key AND channel = :channel "
        "AND status IN ('pending', 'sending')"
    )
    return int(value(reader_of(source), sql, {"key": key, "channel": channel}) or 1)


def handed_span(source: Reads, key: str, channel: str) -> tuple[float, float, int] | None:
    """(first, last hand-over time, messages) of the calls of ``key`` that went, if any."""
    sql = (
        "SELECT MIN(handed_at), MAX(handed_at), SUM(messages) FROM deliveries WHERE edition_key = :key "
        "AND channel = :channel AND status = 'sent' AND handed_at IS NOT NULL"
    )
    first, last, n = first_row(reader_of(source), sql, {"key": key, "channel": channel}) or (None, None, 0)
    return (float(first), float(last), int(n)) if first is not None else None
