"""An edition's deliveries counted by the database, never row by row in Python.

`digest status`, the dashboard, the receipt and the send's progress ask how many calls and how
many people each edition's deliveries reached. Each delivery row carries its ``people`` and
``skipped`` (set from its payload whenever the payload is written, see
:func:`digest.store.rows.people_of`); since migration 70 the database keeps their sums
(:mod:`digest.store.kept_counts`). This module holds migration 9, which set those columns, and the
dashboard's list of deliveries in one status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, select, update

import digest.store.schema as schema  # by its full name, as migrations.py (which imports this)
from digest.store.rows import people_of

# (name, columns): every column the per-edition counts read, so they never visit a row; and the
# deliveries in one status across editions (the unknown ones, the posts waiting for review).
INDEXES = (
    ("ix_deliveries_tally", "edition_key, channel, status, people, skipped, doubts"),
    ("ix_deliveries_status", "status, channel"),
)
BACKFILL_PAGE = 20_000


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

