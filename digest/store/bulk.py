"""Many rows into one table in one statement on SQLite, without SQLAlchemy's work per row.

SQLAlchemy's executemany builds each row's parameters in Python (its defaults, its type
processors, a dictionary per row), which cost more than SQLite's own inserting: for a send's
snapshot of 10,000 deliveries and the list's 10,000 link ids, 0.2 s of a whole `digest send`.
Here the INSERT is written once for the columns the rows give and the columns with a plain
default (filled in as SQLAlchemy would), and each row becomes a tuple; the type processors
still turn each value into what SQLite stores (a datetime into SQLAlchemy's text form), so
the rows read back exactly as SQLAlchemy's own insert leaves them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Column, Connection, Table

Process = Callable[[Any], Any]


def insert_or_skip(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING of ``rows`` (all with the same keys) on SQLite; the rows
    inserted. None when the statement cannot be written so (a missing column's default is not a
    plain value, another parameter style): then the caller takes SQLAlchemy's way."""
    dialect = conn.dialect
    keys = list(rows[0])
    if dialect.paramstyle != "qmark" or any(k not in table.c for k in keys):
        return None
    if any(len(row) != len(keys) for row in rows):
        return None
    columns: list[Column[Any]] = [table.c[k] for k in keys]
    constants: list[Any] = []
    for column in table.c:
        if column.key in rows[0] or column.default is None:
            continue  # given, or left to the database (NULL, its own default, the row id)
        if not column.default.is_scalar:
            return None
        columns.append(column)
        constants.append(getattr(column.default, "arg", None))
    processors = [_processor(column, conn) for column in columns]
    extra = tuple(p(v) if p else v for p, v in zip(processors[len(keys) :], constants, strict=True))
    params = _params(rows, keys, processors[: len(keys)], extra)
    quote = dialect.identifier_preparer
    names = ", ".join(quote.format_column(c) for c in columns)
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    return max(conn.exec_driver_sql(sql, params).rowcount, 0)


def _params(
    rows: Sequence[dict[str, Any]], keys: list[str], processors: list[Process | None], extra: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """Each row as a tuple in ``keys``' order, the processed columns processed, ``extra`` after."""
    get = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    fixes = [(n, _memo(p)) for n, p in enumerate(processors) if p]
    if not fixes:
        return [get(row) + extra for row in rows]
    params = []
    for row in rows:
        values = list(get(row))
        for n, process in fixes:
            values[n] = process(values[n])
        params.append((*values, *extra))
    return params


def _processor(column: Column[Any], conn: Connection) -> Process | None:
    dialect = conn.dialect
    found: Process | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return found


def _memo(process: Process) -> Process:
    """``process`` remembering its last value: the rows of one insert share one timestamp."""
    last: list[Any] = [object(), None]

    def once(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return once
