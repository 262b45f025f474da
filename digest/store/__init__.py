"""State: the database, its schema and the send ledger.

Only this package speaks SQL (tests/foundation/test_sql_boundary.py checks it);
other modules name an open database by the types re-exported here.
"""

from sqlalchemy import Connection, Engine

from digest.store.db import open_store

__all__ = ["Connection", "Engine", "open_store"]
