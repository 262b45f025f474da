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

The same question can be put in the transaction that claims the deliveries (:meth:`SendReads.question`,
given to the claim as ``ClaimSpec.ask``): the ledger writer reads the list for every delivery it
claims, for all the sending threads at once, and a call built within :data:`FRESH` seconds of its
claim takes that answer instead of asking again. A thread's own question cost more than the rest of
its message's work (a statement, and the interpreter lock given up and taken back twice while four
threads wanted it); one more statement in the writer's transaction costs a fraction of that. An
answer older than :data:`FRESH` (a slow server, a paced send) is not used: that call asks again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Engine, bindparam, literal, select, union_all
from sqlalchemy.engine import Dialect

from digest.store import schema_web
from digest.store.compiled import Compiled
from digest.store.forgotten import address_hash
from digest.store.link_refs import read_query, refs_for
from digest.store.rows import DeliveryRow, Question
from digest.store.subscribers import PAGE, not_to_mail, recheck_query, why_not

# Seconds an answer read with a claim stays good for the call built from it. A claim is made about
# one message before its call on a busy run (a few milliseconds), so nearly every call takes it; a
# call that starts later than this asks again, so no answer is older than this plus one round trip
# when its message goes (issue 20: an unsubscribe is honoured within half a second).
FRESH = 0.2


class SendReads:
    """Use as a context manager around a run's sending threads; both reads are safe from any thread."""

    def __init__(self, engine: Engine, key: bytes, fresh: float = FRESH) -> None:
        self.engine = engine
        self.key = key
        self.postgres = engine.dialect.name == "postgresql"
        self._local = threading.local()
        self._open: list[Any] = []
        self._lock = threading.Lock()
        self.fresh = fresh
        # address -> (when read, why it may not be mailed or "", its link id or ""): answers read
        # with a claim (question), each taken once by the call that asks about it.
        self._answers: dict[str, tuple[float, str, str]] = {}
        self.answered = 0  # calls that took the claim's answer (the rest asked again)

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
        taken = self._take(page)
        if taken is not None:
            return taken
        hashes, values = self._asking(page)
        gone, self._local.refs = _answer(self._rows(_recheck, len(page), values), page, hashes)
        return gone  # the ids are for this thread's next refs(), the same call's

    def question(self, claimed: Sequence[DeliveryRow]) -> Question | None:
        """The question of :meth:`not_to_mail` about every recipient of ``claimed``, for the claim's
        transaction to read (``ClaimSpec.ask``); None when they are more than a page."""
        page = sorted({str(person[0]).lower() for row in claimed for person in row.data() or () if person})
        if not page or len(page) > PAGE:
            return None
        hashes, values = self._asking(page)
        compiled = _recheck(self.engine.dialect, len(page))
        asked = time.monotonic()
        take = lambda rows: self._keep(rows, page, hashes, asked)  # noqa: E731
        return Question(compiled.sql, _named(compiled, values), take)

    def _asking(self, page: list[str]) -> tuple[dict[str, str], list[str]]:
        """The keyed hashes of ``page`` (hash -> address) and the question's values: the addresses,
        then their hashes (see :func:`_recheck`)."""
        hashes = {address_hash(self.key, a): a for a in page}
        return hashes, [*page, *hashes]

    def _keep(self, rows: list[Any], page: list[str], hashes: dict[str, str], asked: float) -> None:
        gone, refs = _answer(rows, page, hashes)
        with self._lock:
            if len(self._answers) > PAGE:  # answers no call took (a stopped run): keep only fresh ones
                self._answers = {a: got for a, got in self._answers.items() if asked - got[0] <= self.fresh}
            self._answers.update((a, (asked, gone.get(a, ""), refs.get(a, ""))) for a in page)

    def _take(self, page: list[str]) -> dict[str, str] | None:
        """The answer read with the claim about every one of ``page``, if it is fresh; else None."""
        now = time.monotonic()
        with self._lock:
            found = [self._answers.pop(a, None) for a in page]
            fresh = [got for got in found if got is not None and now - got[0] <= self.fresh]
            if len(fresh) < len(page):
                return None
            self.answered += 1
        answers = list(zip(page, fresh, strict=True))
        self._local.refs = {a: ref for a, (_, _, ref) in answers if ref}
        return {a: why for a, (_, why, _) in answers if why}

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
            cursor.execute(compiled.sql, _named(compiled, values))
            return list(cursor.fetchall())
        finally:
            cursor.close()
            if self.postgres:
                raw.rollback()  # end the read transaction: never left idle in one


REF = "ref:"  # marks a link id among the statuses (no status starts so)


def _named(compiled: Compiled, values: list[str]) -> Any:
    """``values`` as the parameters v0, v1, ... of ``compiled``, laid out for the driver."""
    return compiled.args({f"v{i}": v for i, v in enumerate(values)})


def _answer(
    rows: Iterable[Any], page: list[str], hashes: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """From the rows of :func:`_recheck`: who of ``page`` may not be mailed (and why), and the link ids."""
    statuses, refs = [], {}
    for name, why in rows:
        if why.startswith(REF):
            refs[name] = why[len(REF) :]
        else:
            statuses.append((name, why))
    return why_not(statuses, page, hashes), refs


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
