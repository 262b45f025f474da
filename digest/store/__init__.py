"""State: the database, its schema and the send ledger."""

from digest.store.db import open_store

__all__ = ["open_store"]
