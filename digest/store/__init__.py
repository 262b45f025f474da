"""State: the database, its schema and the send ledger.

Only this package speaks SQL (tests/foundation/test_sql_boundary.py checks it);
other modules name an open database by the types re-exported here. They are loaded on
first use, so a command that reads through :mod:`digest.store.quick` never imports
SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from digest.store.db import open_store

__all__ = ["Connection", "Engine", "open_store"]


def __getattr__(name: str) -> Any:
    if name in ("Connection", "Engine"):
        import sqlalchemy

        return getattr(sqlalchemy, name)
    if name == "open_store":
        from digest.store.db import open_store

        return open_store
    raise AttributeError(f"module 'digest.store' has no attribute {name!r}")
