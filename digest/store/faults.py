"""Database faults in words a volunteer can act on: what is wrong and what to do.

A damaged or read-only SQLite file, a full disk or an unreachable PostgreSQL server all
arrive as driver exceptions; this turns each into one StoreError line. Writes happen in
transactions, so a fault leaves nothing half-written: the failed transaction is rolled back.
"""

from __future__ import annotations

from digest.errors import StoreError

# (words in the driver's message, what it means, what to do)
_KNOWN = [
    (
        ("file is not a database", "malformed", "disk image"),
        "the database file is damaged",
        "move it aside (it is digest.db in DIGEST_DATA_DIR) and restore your backup; "
        "without one, digest starts a new ledger and no longer knows what was sent",
    ),
    (
        ("readonly", "read-only"),
        "the database is read-only",
        "give your user write access to digest.db and its folder (DIGEST_DATA_DIR), "
        "or point DIGEST_DATA_DIR to a writable folder",
    ),
    (
        ("unable to open database",),
        "the database file cannot be opened",
        "check that DIGEST_DATA_DIR is a folder you can write",
    ),
    (
        ("disk is full", "database or disk is full", "no space"),
        "the disk is full",
        "free some space, then run the command again",
    ),
    (
        ("connection refused", "could not connect", "could not translate host", "timeout expired"),
        "the database server cannot be reached",
        "check DIGEST_DATABASE_URL and that PostgreSQL is running",
    ),
    (
        ("password authentication failed", "role", "does not exist"),
        "the database server refused the login or the database",
        "check the user, password and database name in DIGEST_DATABASE_URL",
    ),
]


def reason_of(exc: BaseException) -> str:
    """The driver's first line, without the SQL statement or parameters SQLAlchemy appends."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def describe(exc: BaseException) -> StoreError:
    reason = reason_of(exc)
    lowered = reason.lower()
    for words, what, fix in _KNOWN:
        if any(word in lowered for word in words):
            return StoreError(f"{what} ({reason}); {fix}")
    return StoreError(
        f"the database failed ({reason}); check DIGEST_DATABASE_URL and DIGEST_DATA_DIR, then run again"
    )


def database_fault(exc: BaseException) -> StoreError | None:
    """A StoreError for a database driver's exception; None for anything else."""
    import sqlite3

    module = type(exc).__module__ or ""
    is_db = isinstance(exc, sqlite3.DatabaseError) or module.startswith(("sqlalchemy", "psycopg"))
    if not is_db or not isinstance(exc, Exception):
        return None
    try:
        from sqlalchemy.exc import DatabaseError, DBAPIError

        if module.startswith("sqlalchemy") and not isinstance(exc, (DBAPIError, DatabaseError)):
            return None  # a programming error in our SQL, not a fault of the database
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        pass
    return describe(exc)
