"""The reads behind `digest status` and the dashboard's overview, as plain SQL both drivers run.

`digest status` reads a current SQLite file with :mod:`sqlite3` and never imports SQLAlchemy
(see :mod:`digest.store.quick`); the dashboard, the jobs and PostgreSQL run the same statements
through an engine. Each read takes either (:data:`~digest.store.quick.Reads`), and each is
written once: the ledger's own methods for these call them.

Counts are grouped in the database (the (edition, channel, ...) index), so they cost the same
whatever the list's size or the history's length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.store import kept_counts
from digest.store.quick import Reads, delivery_columns, iso, listed, reader_of, stamp, value
from digest.store.rows import CAMPAIGN, DeliveryRow, EditionRow, now_utc

EDITION_COLUMNS = "key, slot_utc, status, reason, subject, html, text, content_sha256, created_at, sent_at"


def edition_rows(source: Reads, limit: int = 20) -> list[EditionRow]:
    """The newest ``limit`` editions, newest slot first."""
    sql = f"SELECT {EDITION_COLUMNS} FROM editions ORDER BY slot_utc DESC LIMIT :limit"
    return [edition_row(row) for row in reader_of(source).rows(sql, {"limit": limit})]


def edition_row(row: tuple[Any, ...]) -> EditionRow:
    key, slot, status, reason, subject, html, text, sha, created, sent = row
    return EditionRow(
        key,
        stamp(slot) or now_utc(),
        status,
        reason,
        subject,
        html,
        text,
        sha,
        stamp(created) or now_utc(),
        stamp(sent),
    )


def channels_of(source: Reads, key: str) -> set[str]:
    """The channels edition ``key`` has deliveries on: one index seek per channel, so a long list
    is never read (the (edition, channel, ...) index of the counts)."""
    reader = reader_of(source)
    found: set[str] = set()
    sql = "SELECT MIN(channel) FROM deliveries WHERE edition_key = :key"
    after = None
    while True:
        params = {"key": key} if after is None else {"key": key, "after": after}
        after = value(reader, sql + ("" if after is None else " AND channel > :after"), params)
        if after is None:
            return found
        found.add(after)


def rehearsed(source: Reads, rehearsals: Sequence[str], keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` went only to ``rehearsals`` channels (rehearsals, never published)."""
    if not rehearsals or not keys:
        return set()
    return {key for key in keys if (found := channels_of(source, key)) and found <= set(rehearsals)}


@dataclass(frozen=True, order=True)
class Tally:
    """The deliveries of one edition on one channel in one status."""

    channel: str
    status: str
    calls: int  # delivery rows
    people: int  # recipients they were for, skipped ones apart
    skipped: int  # recipients skipped before the call
    doubtful: int  # rows sent again after a hard stop left them without an answer


def tallies(source: Reads, key: str) -> list[Tally]:
    """Edition ``key``'s deliveries grouped by channel and status (kept by the database's
    triggers, :mod:`digest.store.tallies`: a few rows, whatever the list's size)."""
    # In code point order, as Python sorts (whatever the database's collation).
    return sorted(Tally(*row) for row in kept_counts.counted(reader_of(source), key))


def calls_by_status(counted: Iterable[Tally], prefix: str = "", channel: str | None = None) -> dict[str, int]:
    """status -> delivery rows on channels starting with ``prefix`` (or on ``channel`` alone), from
    an edition's :func:`tallies`."""
    counts: dict[str, int] = {}
    for t in counted:
        if t.channel.startswith(prefix) and channel in (None, t.channel):
            counts[t.status] = counts.get(t.status, 0) + t.calls
    return dict(sorted(counts.items()))


def campaign_calls(source: Reads, key: str, channels: Sequence[str]) -> dict[str, int]:
    """status -> campaign rows of edition ``key`` on ``channels``. Each channel is named, so the
    database looks them up in the unique index of (edition, channel, target) instead of reading
    the edition's rows (as a pattern on the channel would make it)."""
    if not channels:
        return {}
    params: dict[str, Any] = {"key": key, "target": CAMPAIGN}
    sql = (
        "SELECT status, COUNT(*) FROM deliveries WHERE edition_key = :key "
        f"AND channel IN ({listed(params, 'channel', channels)}) AND target = :target GROUP BY status"
    )
    return {str(status): int(n) for status, n in reader_of(source).rows(sql, params)}


def last_errors(source: Reads, key: str, statuses: Sequence[str], prefix: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` distinct last errors of ``key``'s deliveries in ``statuses`` on channels
    starting with ``prefix``, in code point order (as Python sorts them, whatever the collation)."""
    reader = reader_of(source)
    text = 'last_error COLLATE "C"' if reader.dialect == "postgresql" else "last_error"
    params: dict[str, Any] = {"key": key, "prefix": prefix + "%", "limit": limit}
    sql = (
        f"SELECT DISTINCT {text} FROM deliveries WHERE edition_key = :key "
        f"AND status IN ({listed(params, 'status', statuses)}) AND channel LIKE :prefix "
        f"AND last_error != '' ORDER BY {text} LIMIT :limit"
    )
    return [str(error) for (error,) in reader.rows(sql, params)]


def doubtful(source: Reads, key: str, channel_prefix: str = "") -> list[DeliveryRow]:
    """Deliveries of ``key`` resent after a crash left them without an answer: possible duplicates."""
    # The ids first, from the partial index of rows with doubts (tallies.DOUBTFUL_INDEX), so a long
    # list is never read.
    ids = "SELECT id FROM deliveries WHERE edition_key = :key AND doubts > 0 AND channel LIKE :prefix"
    sql = f"SELECT {delivery_columns()} FROM deliveries WHERE id IN ({ids}) ORDER BY id"
    rows = reader_of(source).rows(sql, {"key": key, "prefix": channel_prefix + "%"})
    return [DeliveryRow(*row) for row in rows]


@dataclass(frozen=True)
class Pause:
    key: str
    at: datetime
    by: str


def pauses(source: Reads, keys: Sequence[str] | None = None) -> dict[str, Pause]:
    """The paused editions (of ``keys``, or all), by key."""
    params: dict[str, Any] = {}
    where = "" if keys is None else f" WHERE edition_key IN ({listed(params, 'key', keys) or 'NULL'})"
    sql = f"SELECT edition_key, paused_at, paused_by FROM edition_pauses{where}"
    return {
        key: Pause(key, stamp(at) or now_utc(), by) for key, at, by in reader_of(source).rows(sql, params)
    }


def recent_events(source: Reads, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` events, newest first."""
    sql = "SELECT at, level, kind, edition_key, message FROM events ORDER BY id DESC LIMIT :limit"
    return [
        {"at": iso(at), "level": level, "kind": kind, "edition": edition, "message": message}
        for at, level, kind, edition, message in reader_of(source).rows(sql, {"limit": limit})
    ]
