"""The reads a send makes before each call, on one raw connection per sending thread.

Just before each call the list is asked again who may still be mailed
(:func:`digest.store.subscribers.not_to_mail`), and each recipient's link id is read
(:func:`digest.store.link_refs.refs_for`). Through SQLAlchemy each such query cost more
than the SMTP exchange of its message (a pooled connection, a transaction, a statement
compiled for its number of addresses, wrapped results). Here each sending thread keeps
one raw DBAPI connection for the run and the statements are compiled once per batch
size (:mod:`digest.store.compiled`), as for the ledger's writes; the queries and the
reading of their rows are the same functions. A read takes no write lock (SQLite runs
each statement on its own snapshot; PostgreSQL's read transaction ends after it).

The question before a call also reads the link ids of the same addresses (one statement,
the ids tagged :data:`REF`); the thread's next :meth:`SendReads.refs` of those addresses,
the same call's, takes them from there instead of asking again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Engine, bindparam, literal, select, union_all
from sqlalchemy.engine import Dialect

from digest.store import schema_web
from digest.store.compiled import Compiled
from digest.store.forgotten import address_hash
from digest.store.link_refs import read_query, refs_for
from digest.store.subscribers import PAGE, not_to_mail, recheck_query, why_not


class SendReads:
    """Use as a context manager around a run's sending threads; both reads are safe from any thread."""

    def __init__(self, engine: Engine, key: bytes) -> None:
        self.engine = engine
        self.key = key
        self.postgres = engine.dialect.name == "postgresql"
        self._local = threading.local()
        self._open: list[Any] = []
        self._lock = threading.Lock()

    def __enter__(self) -> SendReads:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            opened, self._open = self._open, []
        for raw in opened:
            raw.close()  # back to the engine's pool

    def not_to_mail(self, addresses: Sequence[str]) -> dict[str, str]:
        """As :func:`~digest.store.subscribers.not_to_mail`, for a batch of up to PAGE addresses."""
        if not addresses:
            return {}
        if len(addresses) > PAGE:
            return not_to_mail(self.engine, addresses, self.key)
        page = [a.lower() for a in addresses]
        hashes = {address_hash(self.key, a): a for a in page}
        statuses, refs = [], {}
        for name, why in self._rows(_recheck, len(page), [*page, *hashes]):
            if why.startswith(REF):
                refs[name] = why[len(REF) :]
            else:
                statuses.append((name, why))
        self._local.refs = refs  # for this thread's next refs(), the same call's
        return why_not(statuses, page, hashes)

    def refs(self, emails: Iterable[str]) -> dict[str, str]:
        """As :func:`~digest.store.link_refs.refs_for` (which makes any id still missing)."""
        wanted = sorted({e.strip().lower() for e in emails if e})
        if not wanted:
            return {}
        read, self._local.refs = getattr(self._local, "refs", None) or {}, None
        if all(e in read for e in wanted):  # read with the question before this call
            return {e: read[e] for e in wanted}
        if len(wanted) > PAGE:
            return refs_for(self.engine, wanted)
        found = {str(e): str(ref) for e, ref in self._rows(_refs, len(wanted), wanted)}
        missing = [e for e in wanted if e not in found]
        return {**found, **refs_for(self.engine, missing)} if missing else found

    def _rows(self, statement: Callable[[Dialect, int], Compiled], n: int, values: list[str]) -> list[Any]:
        raw = getattr(self._local, "raw", None)
        if raw is None:
            raw = self._local.raw = self.engine.raw_connection()
            with self._lock:
                self._open.append(raw)
        compiled = statement(self.engine.dialect, n)
        cursor = raw.cursor()
        try:
            cursor.execute(compiled.sql, compiled.args({f"v{i}": v for i, v in enumerate(values)}))
            return list(cursor.fetchall())
        finally:
            cursor.close()
            if self.postgres:
                raw.rollback()  # end the read transaction: never left idle in one


REF = "ref:"  # marks a link id among the statuses (no status starts so)


@cache
def _recheck(dialect: Dialect, n: int) -> Compiled:
    """The statement of :func:`recheck_query` for n addresses (v0..) and their n hashes (vn..),
    with the link ids of the addresses as (address, REF + id)."""
    names: list[Any] = [bindparam(f"v{i}") for i in range(2 * n)]
    r = schema_web.link_refs
    ids = select(r.c.email, literal(REF).concat(r.c.ref)).where(r.c.email.in_(names[:n]))
    return Compiled(union_all(*recheck_query(names[:n], names[n:]).selects, ids), dialect)


@cache
def _refs(dialect: Dialect, n: int) -> Compiled:
    return Compiled(read_query([bindparam(f"v{i}") for i in range(n)]), dialect)
