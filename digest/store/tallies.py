"""An edition's deliveries counted in the database, never row by row in Python.

`digest status`, the dashboard, the receipt and the send's progress ask how many calls and how
many people each edition's deliveries reached. Each delivery row carries its ``people`` and
``skipped`` (set from its payload whenever the payload is written, see
:func:`digest.store.rows.people_of`), so one grouped query over the edition's index entries
answers, whatever the size of the list or the length of the history: :data:`INDEX` holds every
column these queries read, so they never visit the rows themselves.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, func, select, update

import digest.store.schema as schema  # by its full name, as migrations.py (which imports this)
from digest.store.rows import CAMPAIGN, people_of

# (name, columns): every column the per-edition counts read, so they never visit a row; and the
# deliveries in one status across editions (the unknown ones, the posts waiting for review).
INDEXES = (
    ("ix_deliveries_tally", "edition_key, channel, status, people, skipped, doubts"),
    ("ix_deliveries_status", "status, channel"),
)
BACKFILL_PAGE = 20_000


@dataclass(frozen=True)
class Tally:
    """The deliveries of one edition on one channel in one status."""

    channel: str
    status: str
    calls: int  # delivery rows
    people: int  # recipients they were for, skipped ones apart
    skipped: int  # recipients skipped before the call
    doubtful: int  # rows sent again after a hard stop left them without an answer


def tallies(engine: Engine, key: str) -> list[Tally]:
    """Edition ``key``'s deliveries grouped by channel and status."""
    d = schema.deliveries
    # Grouped in the index's own order, by every column summed: a count per group is all the
    # database computes (cheaper than summing each entry), the products are taken here.
    columns = (d.c.channel, d.c.status, d.c.people, d.c.skipped, d.c.doubts)
    query = select(*columns, func.count()).where(d.c.edition_key == key).group_by(*columns)
    found: dict[tuple[str, str], list[int]] = {}
    with engine.connect() as conn:
        for channel, status, people, skipped, doubts, n in conn.execute(query):
            sums = found.setdefault((channel, status), [0, 0, 0, 0])
            for i, add in enumerate((n, people * n, skipped * n, n if doubts > 0 else 0)):
                sums[i] += add
    return [Tally(channel, status, *sums) for (channel, status), sums in sorted(found.items())]


def campaign_calls(engine: Engine, key: str, channels: Sequence[str]) -> dict[str, int]:
    """status -> campaign rows of edition ``key`` on ``channels``. Each channel is named, so the
    database looks them up in the unique index of (edition, channel, target) instead of reading
    the edition's rows (as a pattern on the channel would make it)."""
    if not channels:
        return {}
    d = schema.deliveries
    query = (
        select(d.c.status, func.count())
        .where(d.c.edition_key == key, d.c.channel.in_(list(channels)), d.c.target == CAMPAIGN)
        .group_by(d.c.status)
    )
    with engine.connect() as conn:
        return {status: int(n) for status, n in conn.execute(query)}


def last_errors(engine: Engine, key: str, statuses: Sequence[str], prefix: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` distinct last errors of ``key``'s deliveries in ``statuses`` on channels
    starting with ``prefix``, in code point order (as Python sorts them, whatever the collation)."""
    d = schema.deliveries
    with engine.connect() as conn:
        text = d.c.last_error.collate("C") if conn.dialect.name == "postgresql" else d.c.last_error
        query = (
            select(text)
            .where(d.c.edition_key == key, d.c.status.in_(list(statuses)), d.c.channel.like(prefix + "%"))
            .where(d.c.last_error != "")
            .distinct()
            .order_by(text)
            .limit(limit)
        )
        return list(conn.scalars(query))


@dataclass(frozen=True)
class Listed:
    """What the dashboard shows of one delivery: no payload, its people counted in the database."""

    id: int
    edition_key: str
    channel: str
    people: int
    last_error: str


def first_in_status(engine: Engine, status: str, prefix: str, limit: int) -> list[Listed]:
    """The first ``limit`` deliveries (in the order recorded) in ``status`` on channels starting
    with ``prefix``, of every edition."""
    d = schema.deliveries
    query = (
        select(d.c.id, d.c.edition_key, d.c.channel, d.c.people, d.c.last_error)
        .where(d.c.status == status, d.c.channel.like(prefix + "%"))
        .order_by(d.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [Listed(*r) for r in conn.execute(query)]


# -- migration 9 ---------------------------------------------------------------
def backfill(conn: Connection) -> int:
    """Set ``people`` and ``skipped`` of every delivery recorded before they existed (the columns
    start as one person, none skipped, the most common row); returns the rows changed."""
    d = schema.deliveries
    change = (
        update(d).where(d.c.id == bindparam("row_id")).values(people=bindparam("p"), skipped=bindparam("s"))
    )
    last, changed = 0, 0
    while True:
        page = conn.execute(
            select(d.c.id, d.c.target, d.c.payload).where(d.c.id > last).order_by(d.c.id).limit(BACKFILL_PAGE)
        ).all()
        if not page:
            return changed
        params = []
        for row in page:
            counted = people_of(row.target, _decoded(row.payload))
            if (counted["people"], counted["skipped"]) != (1, 0):
                params.append({"row_id": row.id, "p": counted["people"], "s": counted["skipped"]})
        if params:
            conn.execute(change, params)
        changed += len(params)
        last = page[-1].id


def create_indexes(conn: Connection) -> None:
    """:data:`INDEXES`, made here rather than in the schema's metadata: an earlier step creates
    every index the metadata lists, before these columns exist in an old database."""
    for name, columns in INDEXES:
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON deliveries ({columns})")


def _decoded(payload: str) -> object:
    try:
        return json.loads(payload) if payload else None
    except ValueError:  # never written by digest; counted as nobody rather than stopping the upgrade
        return None
