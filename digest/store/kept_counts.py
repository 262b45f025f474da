"""Each edition's deliveries counted by channel and status, kept by the database itself.

`digest status`, the dashboard, a send's progress and its report read an edition's counts on every
view; counting its rows (even from an index) grew with the list. Since migration 70 triggers on
``deliveries`` keep the sums in ``delivery_tallies`` in the same transaction as every insert,
change and delete of a delivery, whichever command, webhook or hand-made SQL made it, so a read is
a few rows whatever the list's size.

- SQLite (one writer at a time): a row trigger adds each row's share to its group at once.
- PostgreSQL (several instances write at once): an edition's groups are hot rows, and two
  transactions changing them in different orders, or one changing them before taking the
  sending caps' lock and another after, would wait for each other in a circle. So a statement
  trigger only appends the statement's net change to ``delivery_tally_changes`` (appends never
  wait), and a read first folds the appended changes into the groups, in one fixed order, then adds
  any appended since.

Imports no SQLAlchemy: :mod:`digest.store.overview` reads through ``sqlite3`` on SQLite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from digest.store.quick import Reader

if TYPE_CHECKING:
    from sqlalchemy import Connection

TABLE = "delivery_tallies"
CHANGES = "delivery_tally_changes"  # PostgreSQL only
SUMS = "calls, people, skipped, doubtful"
COLUMNS = f"edition_key, channel, status, {SUMS}"
_COUNTED = "edition_key, channel, status, people, skipped, doubts"
# The edition's possible duplicates, found without reading its rows (few, if any, ever enter it).
DOUBTFUL_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_deliveries_doubtful ON deliveries (edition_key, channel) WHERE doubts > 0"
)


def _shares(row: str, sign: str = "") -> list[str]:
    """One delivery row's share of each of its group's :data:`SUMS` (``sign`` '-' takes it away)."""
    doubtful = f"(CASE WHEN {row}.doubts > 0 THEN 1 ELSE 0 END)"
    return [f"{sign}1", f"{sign}{row}.people", f"{sign}{row}.skipped", f"{sign}{doubtful}"]


def _share(row: str, sign: str = "") -> str:
    return ", ".join(_shares(row, sign))


def _add_sums(target: str) -> str:
    return ", ".join(f"{c} = {target}.{c} + excluded.{c}" for c in SUMS.split(", "))


# -- SQLite: row triggers ----------------------------------------------------------------------
_ADD = (
    f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (new.edition_key, new.channel, new.status, {_share('new')}) "
    f"ON CONFLICT (edition_key, channel, status) DO UPDATE SET {_add_sums(TABLE)}"
)
_TAKEN = ", ".join(f"{c} + {v}" for c, v in zip(SUMS.split(", "), _shares("old", "-"), strict=True))
_TAKE = (
    f"UPDATE {TABLE} SET ({SUMS}) = ({_TAKEN}) "
    "WHERE edition_key = old.edition_key AND channel = old.channel AND status = old.status"
)
_MOVED = " OR ".join(f"old.{c} <> new.{c}" for c in _COUNTED.split(", "))
SQLITE_TRIGGERS = {
    "tally_added": f"AFTER INSERT ON deliveries BEGIN {_ADD}; END",
    "tally_removed": f"AFTER DELETE ON deliveries BEGIN {_TAKE}; END",
    "tally_moved": f"AFTER UPDATE OF {_COUNTED} ON deliveries WHEN {_MOVED} BEGIN {_TAKE}; {_ADD}; END",
}


# -- PostgreSQL: statement triggers appending the net change -----------------------------------
def _append(parts: list[str]) -> str:
    """Append the net change of the rows in ``parts`` (SELECTs of each row's share), per group."""
    rows = " UNION ALL ".join(parts)
    return (
        f"INSERT INTO {CHANGES} ({COLUMNS}) SELECT edition_key, channel, status, "
        "SUM(calls), SUM(people), SUM(skipped), SUM(doubtful) "
        f"FROM ({rows}) AS moved GROUP BY edition_key, channel, status "
        "HAVING SUM(calls) <> 0 OR SUM(people) <> 0 OR SUM(skipped) <> 0 OR SUM(doubtful) <> 0"
    )


def _rows_of(table: str, sign: str = "") -> str:
    named = ", ".join(f"{v} AS {c}" for v, c in zip(_shares("r", sign), SUMS.split(", "), strict=True))
    return f"SELECT r.edition_key, r.channel, r.status, {named} FROM {table} AS r"


# Inserts and deletes come in bulk (a send's snapshot, a rehearsal retired): one grouped append a
# statement. A change comes a row at a time (a claim, an outcome), and most statements change no
# counted column (a hand-over's stage, a lease): a row trigger that only fires on a counted change.
_MOVED_ROW = (
    f"INSERT INTO {CHANGES} ({COLUMNS}) VALUES "
    f"(old.edition_key, old.channel, old.status, {_share('old', '-')}), "
    f"(new.edition_key, new.channel, new.status, {_share('new')})"
)
POSTGRES_TRIGGERS = {
    "tally_added": (
        "INSERT ON deliveries REFERENCING NEW TABLE AS added FOR EACH STATEMENT",
        _append([_rows_of("added")]),
    ),
    "tally_removed": (
        "DELETE ON deliveries REFERENCING OLD TABLE AS removed FOR EACH STATEMENT",
        _append([_rows_of("removed", "-")]),
    ),
    "tally_moved": (f"UPDATE OF {_COUNTED} ON deliveries FOR EACH ROW WHEN ({_MOVED})", _MOVED_ROW),
}
# Every edition's appended changes at once (the table holds only what was appended since the last
# read, so it needs no index, which each append would have to update), in one order of groups.
_FOLD = (
    f"WITH moved AS (DELETE FROM {CHANGES} RETURNING {COLUMNS}) "
    f"INSERT INTO {TABLE} ({COLUMNS}) SELECT edition_key, channel, status, "
    "SUM(calls), SUM(people), SUM(skipped), SUM(doubtful) FROM moved GROUP BY edition_key, channel, status "
    "ORDER BY edition_key, channel, status "
    f"ON CONFLICT (edition_key, channel, status) DO UPDATE SET {_add_sums(TABLE)}"
)


# -- reads -------------------------------------------------------------------------------------
def counted(reader: Reader, key: str) -> list[tuple[Any, ...]]:
    """(channel, status, calls, people, skipped, doubtful) of edition ``key``'s non-empty groups."""
    if reader.dialect != "postgresql":
        sql = f"SELECT channel, status, {SUMS} FROM {TABLE} WHERE edition_key = :key AND calls > 0"
        return list(reader.rows(sql, {"key": key}))
    reader.write(_FOLD, [{}])
    both = " UNION ALL ".join(
        f"SELECT channel, status, {SUMS} FROM {table} WHERE edition_key = :key" for table in (TABLE, CHANGES)
    )
    sql = (
        "SELECT channel, status, SUM(calls), SUM(people), SUM(skipped), SUM(doubtful) "
        f"FROM ({both}) AS kept GROUP BY channel, status HAVING SUM(calls) > 0"
    )
    return [(c, s, *(int(n) for n in sums)) for c, s, *sums in reader.rows(sql, {"key": key})]


# -- migration 70 ------------------------------------------------------------------------------
def keep_counts(conn: Connection) -> None:
    """Migration 70: ``delivery_tallies`` filled from the deliveries there are, then kept by
    triggers. Migration 9's counting index goes: nothing reads it now, and every claim and outcome
    of a send had to move its row in it."""
    postgres = conn.dialect.name == "postgresql"
    for table in (TABLE, CHANGES) if postgres else (TABLE,):
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {table} (edition_key VARCHAR(64) NOT NULL, "
            "channel VARCHAR(32) NOT NULL, status VARCHAR(16) NOT NULL, calls INTEGER NOT NULL, "
            "people INTEGER NOT NULL, skipped INTEGER NOT NULL, doubtful INTEGER NOT NULL"
            + (", PRIMARY KEY (edition_key, channel, status))" if table == TABLE else ")")
        )
        conn.exec_driver_sql(f"DELETE FROM {table}")
    conn.exec_driver_sql(
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT edition_key, channel, status, COUNT(*), SUM(people), "
        "SUM(skipped), SUM(CASE WHEN doubts > 0 THEN 1 ELSE 0 END) FROM deliveries "
        "GROUP BY edition_key, channel, status"
    )
    for name in SQLITE_TRIGGERS:
        if postgres:
            _postgres_trigger(conn, name, *POSTGRES_TRIGGERS[name])
        else:
            conn.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {SQLITE_TRIGGERS[name]}")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_deliveries_tally")
    conn.exec_driver_sql(DOUBTFUL_INDEX)


def _postgres_trigger(conn: Connection, name: str, event: str, statement: str) -> None:
    conn.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION digest_{name}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {statement}; RETURN NULL; END $$"
    )
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON deliveries")
    conn.exec_driver_sql(f"CREATE TRIGGER {name} AFTER {event} EXECUTE FUNCTION digest_{name}()")
