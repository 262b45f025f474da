"""An edition's deliveries counted by the database, never row by row in Python.

`digest status`, the dashboard, the receipt and the send's progress ask how many calls and how
many people each edition's deliveries reached. Each delivery row carries its ``people`` and
``skipped`` (set from its payload whenever the payload is written, see
:func:`digest.store.rows.people_of`). The table ``delivery_tallies`` holds their sums for each
edition, channel and status, kept by triggers in the database itself (migration 70): every insert,
change and delete of a delivery, by any code path or a volunteer's own SQL, moves its counts in the
same transaction. So the counts cost a few rows whatever the list's size; counting the edition's
index entries (migration 9's way) took 21 ms per 100,000 recipients and edition shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, select, text, update

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


# -- migration 70: the counts kept by triggers ----------------------------------
TABLE = "delivery_tallies"
# One row's share of its group; the same SQL on SQLite and PostgreSQL (``new``/``old`` are the
# row after and before, in either database's trigger).
_ADD = (
    f"INSERT INTO {TABLE} (edition_key, channel, status, calls, people, skipped, doubtful) "
    "VALUES (new.edition_key, new.channel, new.status, 1, new.people, new.skipped, "
    "CASE WHEN new.doubts > 0 THEN 1 ELSE 0 END) "
    "ON CONFLICT (edition_key, channel, status) DO UPDATE SET "
    f"calls = {TABLE}.calls + 1, people = {TABLE}.people + excluded.people, "
    f"skipped = {TABLE}.skipped + excluded.skipped, doubtful = {TABLE}.doubtful + excluded.doubtful"
)
_TAKE = (
    f"UPDATE {TABLE} SET calls = calls - 1, people = people - old.people, skipped = skipped - old.skipped, "
    "doubtful = doubtful - CASE WHEN old.doubts > 0 THEN 1 ELSE 0 END "
    "WHERE edition_key = old.edition_key AND channel = old.channel AND status = old.status"
)
_COUNTED = "edition_key, channel, status, people, skipped, doubts"
_MOVED = " OR ".join(f"old.{c} <> new.{c}" for c in _COUNTED.split(", "))
# Whose counts may change together: one transaction at a time per edition on PostgreSQL (its
# groups' rows would otherwise be locked in whatever order each transaction met them, and two
# batches of webhooks could each wait for the other). SQLite has one writer anyway.
_EDITION_LOCK = "PERFORM pg_advisory_xact_lock(4242002, hashtext({row}.edition_key));"
TRIGGERS = {
    "tally_added": ("INSERT", "", [_ADD], "new"),
    "tally_removed": ("DELETE", "", [_TAKE], "old"),
    "tally_moved": (f"UPDATE OF {_COUNTED}", _MOVED, [_TAKE, _ADD], "new"),
}
# The edition's possible duplicates, found without reading its rows (few, if any, ever enter it).
DOUBTFUL_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_deliveries_doubtful ON deliveries (edition_key, channel) WHERE doubts > 0"
)


def keep_counts(conn: Connection) -> None:
    """Migration 70: ``delivery_tallies`` filled from the deliveries there are, then kept by
    triggers; the index that counted them (migration 9) goes, since nothing reads it now and every
    claim and outcome of a send had to move each row in it."""
    schema.metadata.create_all(conn, tables=[schema.delivery_tallies])
    conn.execute(text(f"DELETE FROM {TABLE}"))
    conn.execute(text(
        f"INSERT INTO {TABLE} (edition_key, channel, status, calls, people, skipped, doubtful) "
        "SELECT edition_key, channel, status, COUNT(*), SUM(people), SUM(skipped), "
        "SUM(CASE WHEN doubts > 0 THEN 1 ELSE 0 END) FROM deliveries GROUP BY edition_key, channel, status"
    ))
    postgres = conn.dialect.name == "postgresql"
    for name, (event, when, statements, row) in TRIGGERS.items():
        if postgres:
            _postgres_trigger(conn, name, event, when, [_EDITION_LOCK.format(row=row), *statements])
        else:
            where = f" WHEN {when}" if when else ""
            body = "; ".join(statements)
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON deliveries{where} BEGIN {body}; END"
            )
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_deliveries_tally")
    conn.exec_driver_sql(DOUBTFUL_INDEX)


def _postgres_trigger(conn: Connection, name: str, event: str, when: str, statements: list[str]) -> None:
    body = " ".join(s if s.endswith(";") else s + ";" for s in statements)
    conn.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION digest_{name}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {body} RETURN NULL; END $$"
    )
    where = f" WHEN ({when})" if when else ""
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON deliveries")
    conn.exec_driver_sql(
        f"CREATE TRIGGER {name} AFTER {event} ON deliveries FOR EACH ROW{where} "
        f"EXECUTE FUNCTION digest_{name}()"
    )
