"""A statement compiled once to SQL text for one dialect, run on a raw DBAPI connection.

The send's hot paths (:mod:`digest.store.sendpath`, :mod:`digest.store.sendreads`) build their
statements with SQLAlchemy Core, so the SQL is each dialect's own, and run them on the DBAPI
connection, skipping SQLAlchemy's work on every execution.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import CompoundSelect


class Compiled:
    """A statement as SQL text for one dialect, and how to lay out its parameters."""

    def __init__(self, statement: Update | Select[Any] | CompoundSelect, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        # Values Core bound itself (the literal statuses, the 1 of attempts + 1, OFFSET 0).
        self.defaults = {name: bind.value for name, bind in compiled.binds.items()}
        self.order = list(compiled.positiontup or []) if compiled.positional else None

    def args(self, params: dict[str, Any]) -> Any:
        merged = {**self.defaults, **params}
        if self.order is None:
            return merged
        return tuple(map(merged.__getitem__, self.order))  # no Python frame per parameter
