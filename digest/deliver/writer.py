"""Group commit: one thread writes the ledger for all the sending threads of a run.

Each sending thread hands in the outcome of its last call, asks for its next
delivery and waits until that claim is committed before it sends. So, as
before, every delivery is marked ``sending`` before its call and each thread
holds at most one claimed delivery: a crash leaves at most one ``unknown`` per
thread. What changes is that the outcomes and claims of all threads waiting at
the same moment go into one transaction, so there are about ``threads`` times
fewer transactions, and the threads never compete for SQLite's write lock (its
busy handler sleeps whole milliseconds at a time; that waiting, not SQL, was
most of the sender's time).

A thread's hand-over may carry its earlier outcomes and claim its next delivery
(:meth:`LedgerWriter.handing_over`): then each message costs one transaction, the
flushed one that must precede its final ".", and the thread waits once per message.
A crash still leaves at most one message per thread handed over without an outcome.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType

from digest.store.ledger import Ledger
from digest.store.rows import ClaimSpec, DeliveryRow, Outcome
from digest.store.sendpath import SendPath


class _Request:
    __slots__ = ("done", "error", "handed", "outcomes", "row", "want")

    def __init__(self, outcomes: Sequence[Outcome], want: bool, handed: int | None = None) -> None:
        self.outcomes = outcomes
        self.want = want
        self.handed = handed
        self.row: DeliveryRow | None = None
        self.error: BaseException | None = None
        # Held until the writer releases it, once (see _wait): a lock is the cheapest one-shot
        # signal; an Event builds a Condition and a lock per request and notifies in Python.
        self.done = threading.Lock()
        self.done.acquire()


class LedgerWriter:
    """Use as a context manager around the sending threads; :meth:`next` is safe from any thread.

    The writer keeps one database connection for the whole run (:meth:`Ledger.send_path`).
    """

    def __init__(
        self, ledger: Ledger, claim: ClaimSpec, *, durable_claims: bool = True, threads: int = 1,
        gather: float = 0.0,
    ) -> None:
        self.ledger = ledger
        self.claim = claim
        self.durable_claims = durable_claims
        # Group commit with a short wait (as PostgreSQL's commit_delay): a transaction that goes
        # to the disk waits up to ``gather`` seconds for the requests of the other ``threads``
        # still at work, so one flush serves them all. Without it the threads fall into groups
        # that take turns, each waiting for the other's flush as well as its own.
        self.threads = threads
        self.gather = gather
        self._left = 0  # threads that are done (see leaving)
        self.transactions = 0
        self.held = ""  # a claim took fewer than asked: "paused" or "capped" (see SendPath.settle)
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="ledger-writer", daemon=True)

    def __enter__(self) -> LedgerWriter:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._queue.put(None)
        self._thread.join()

    def next(self, outcome: Outcome | Sequence[Outcome] | None, want: bool = True) -> DeliveryRow | None:
        """Record ``outcome`` (one, several or None) and, if ``want``, return the next delivery,
        already ``sending``.

        Returns None when nothing is due. Blocks until the transaction holding both
        has committed; raises what the transaction raised.
        """
        outcomes = [outcome] if isinstance(outcome, Outcome) else list(outcome or ())
        request = _Request(outcomes, want)
        self._queue.put(request)
        return _wait(request)

    def handing_over(
        self, delivery_id: int, outcomes: Sequence[Outcome] = (), want: bool = False
    ) -> Callable[[], DeliveryRow | None]:
        """Start recording that ``delivery_id``'s message is being handed over; returns the wait.

        The caller goes on (an SMTP sender writes the message body meanwhile) and calls
        the returned function before the step that hands it over (the final "."): it
        blocks until the record is flushed, and raises what the transaction raised.
        The same transaction records ``outcomes`` (the thread's earlier calls) and, if
        ``want``, claims the thread's next delivery, which the wait returns (None: none due).
        """
        request = _Request(outcomes, want, delivery_id)
        self._queue.put(request)
        return lambda: _wait(request)

    def _loop(self) -> None:
        try:
            with self.ledger.send_path(durable_claims=self.durable_claims) as path:
                self._serve(path)
        except BaseException as exc:  # no connection: every request, now or later, gets the error
            self._refuse_all(exc)

    def leaving(self) -> None:
        """A sending thread is done: no transaction waits for it any more."""
        with self._lock:
            self._left += 1

    def _serve(self, path: SendPath) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, closing = self._gather(first)
            self._commit(path, batch)
            if closing:
                return

    def _gather(self, first: _Request) -> tuple[list[_Request], bool]:
        """``first`` and the requests that join it: those already queued and, for a transaction
        that goes to the disk, those of the other working threads arriving within ``gather``
        (each thread has at most one request waiting); True when the writer is to close."""
        batch = [first]
        deadline = time.monotonic() + self.gather
        flushed = self.durable_claims or first.handed is not None
        while True:
            missing = len(batch) < self.threads - self._left
            wait = deadline - time.monotonic() if flushed and missing else 0.0
            try:
                more = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                return batch, False
            if more is None:
                return batch, True
            batch.append(more)
            flushed = flushed or more.handed is not None

    def _refuse_all(self, exc: BaseException) -> None:
        while (request := self._queue.get()) is not None:
            request.error = exc
            request.done.release()

    def _commit(self, path: SendPath, batch: list[_Request]) -> None:
        wanted = sum(1 for r in batch if r.want)
        try:
            rows = path.settle(
                [o for r in batch for o in r.outcomes],
                self.claim if wanted else None,
                wanted,
                [r.handed for r in batch if r.handed is not None],
            )
        except BaseException as exc:  # handed to every thread that waited on this transaction
            for r in batch:
                r.error = exc
                r.done.release()
            return
        self.transactions += 1
        self.held = path.held or self.held
        handed = iter(rows)
        for r in batch:
            if r.want:
                r.row = next(handed, None)
            r.done.release()


def _wait(request: _Request) -> DeliveryRow | None:
    with request.done:  # released again, so a second wait returns at once, as an Event's would
        pass
    if request.error is not None:
        raise request.error
    return request.row
