"""The hook a sending thread gives each call of a provider that records its hand-overs
(:mod:`digest.providers.handover`): the hand-over recorded through the ledger writer, and the
thread's next call prepared meanwhile (see :func:`digest.deliver.dispatch.dispatch`)."""

from __future__ import annotations

from collections.abc import Callable

from digest.deliver.writer import LedgerWriter
from digest.providers.base import SendResult
from digest.store.ledger import DeliveryRow
from digest.store.rows import Outcome

Call = Callable[[], SendResult]  # one delivery's call, prepared (see ``prepare`` of dispatch)


class Handover:
    """The hook of one call: records its hand-over through the writer, and whether it happened.

    The hand-over's transaction also records the thread's outcomes not yet written (``done``)
    and, when ``want()`` says so, claims the thread's next delivery (:attr:`next`): one
    flushed transaction per message instead of a claim and a hand-over. A ``spare`` (the
    thread's next delivery, claimed earlier) is prepared while the hand-over is flushed;
    without one, :meth:`meanwhile` prepares the delivery just claimed while the provider awaits
    its answer. The prepared call is :attr:`ready`, for :attr:`ready_for`.
    """

    def __init__(
        self,
        writer: LedgerWriter,
        delivery_id: int,
        done: list[Outcome],
        want: Callable[[], bool],
        prepare: Callable[[DeliveryRow], Call] | None = None,
        spare: DeliveryRow | None = None,
    ) -> None:
        self.writer = writer
        self.delivery_id = delivery_id
        self.done = done
        self.want = want
        self.prepare = prepare
        self.spare = spare  # the thread's next delivery, claimed earlier: prepared during the flush
        self.reached = False
        self.next: DeliveryRow | None = None
        self.ready: Call | None = None
        self.ready_for: DeliveryRow | None = None

    def _prepare(self, row: DeliveryRow) -> None:
        if self.prepare is not None and self.ready is None:
            self.ready, self.ready_for = prepared(self.prepare, row), row

    def meanwhile(self) -> None:
        if self.next is not None and self.spare is None:
            self._prepare(self.next)

    def __call__(self) -> Callable[[], None]:
        if self.reached:  # a second request of the same call (a campaign's start): already recorded
            return lambda: None
        self.reached = True
        outcomes, self.done[:] = list(self.done), []
        wait = self.writer.handing_over(self.delivery_id, outcomes, self.want())

        def recorded() -> None:
            if self.spare is not None:
                self._prepare(self.spare)  # while the writer flushes (it holds no interpreter lock then)
            self.next = wait()

        return recorded


class Reached:
    """The hook of a call whose message a provider's lanes carried (:mod:`digest.deliver.rounds`):
    calling it hands nothing over any more, it only says whether the message was."""

    meanwhile = None

    def __init__(self, reached: bool) -> None:
        self.reached = reached

    def __call__(self) -> Callable[[], None]:
        return _nothing


def _nothing() -> None:
    return None


def prepared(prepare: Callable[[DeliveryRow], Call], row: DeliveryRow) -> Call:
    """``prepare(row)``; an error is raised by the call it would have prepared, not here (it
    runs inside the previous call, whose outcome it is not)."""
    try:
        return prepare(row)
    except Exception as exc:
        error = exc

        def failed() -> SendResult:
            raise error

        return failed
