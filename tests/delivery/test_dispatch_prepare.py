"""The next call prepared while this one's hand-over is flushed (issue 24).

With a provider that records its hand-overs (SMTP) and a ``prepare``, each sending thread holds
two claimed deliveries, none handed over: while the hand-over of one is flushed, the dispatcher
prepares the call of the other (the question to the list, the links, the message), and each
flushed hand-over claims one more. The promises stay: each delivery is claimed and committed
before anything of its call happens, at most one message per thread is in doubt (a claim lost
in a crash had handed nothing over), and what goes wrong while preparing is the next call's
fault, never the outcome of the call whose hand-over was being flushed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from digest.deliver.dispatch import Policy, dispatch
from digest.providers.base import SendResult
from digest.providers.handover import awaiting_answer, handing_over
from digest.store import open_store
from digest.store.ledger import DeliveryRow
from tests.delivery.test_dispatch_writer import CHANNEL, KEY, committed_status, in_doubt, ledger_with

Events = list[tuple[str, int, int]]  # (what, delivery id, thread)


def staged_run(  # type: ignore[no-untyped-def]
    tmp_path, n: int, workers: int, broken: int = 0, stop_after: int = 0
) -> tuple[list[DeliveryRow], Events, list[str], list[int]]:
    """A staged run whose calls announce the wait for their answer; ``broken``: the delivery id
    whose preparation fails; a stop comes after ``stop_after`` answers. Returns the rows, the
    events, each prepared delivery's status as another connection saw it, the doubts seen."""
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    ledger = ledger_with(engine, n)
    events: Events = []
    statuses: list[str] = []
    doubts: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def note(what: str, row: DeliveryRow) -> None:
        with lock:
            events.append((what, row.id, threading.get_ident()))

    def prepare(row: DeliveryRow) -> Callable[[], SendResult]:
        statuses.append(committed_status(engine, row.id)[0])
        note("prepared", row)
        if row.id == broken:
            raise RuntimeError("the list could not be read")

        def call() -> SendResult:
            note("call", row)
            handing_over()()
            doubts.append(in_doubt(engine))
            awaiting_answer()
            note("answered", row)
            if stop_after and sum(1 for e in events if e[0] == "answered") >= stop_after:
                stop.set()
            return SendResult()

        return call

    policy = Policy(workers=workers, staged=True, ahead=True)
    try:
        dispatch(
            ledger, KEY, CHANNEL, lambda row: prepare(row)(), policy=policy, stop=stop.is_set, prepare=prepare
        )
    except RuntimeError:
        pass  # the broken preparation stops the run, as a fault in the call itself did
    rows = ledger.deliveries(KEY)
    engine.dispose()
    return rows, events, statuses, doubts


def test_each_next_call_is_prepared_while_the_answer_is_awaited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows, events, statuses, doubts = staged_run(tmp_path, 80, 4)
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
    assert set(statuses) == {"sending"}  # claimed and committed before it was prepared
    assert max(doubts) <= 4  # still at most one message per thread in doubt
    by_thread: dict[int, list[tuple[str, int]]] = {}
    for what, delivery, thread in events:
        by_thread.setdefault(thread, []).append((what, delivery))
    ahead = 0
    for seq in by_thread.values():
        for i, (what, delivery) in enumerate(seq):
            if what == "prepared" and i > 0 and seq[i - 1][0] == "call":
                # during the previous call's hand-over, before its answer
                assert seq[i + 1] == ("answered", seq[i - 1][1])
                assert seq[i + 2] == ("call", delivery)
                ahead += 1
    # every call but each thread's first is prepared ahead (threads that joined late may take fewer)
    assert ahead >= 80 - 4 * 2
    assert sum(1 for e in events if e[0] == "prepared") == 80  # each prepared once


def test_a_failed_preparation_is_the_next_calls_fault(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows, events, _, _ = staged_run(tmp_path, 20, 1, broken=5)
    by_id = {r.id: r for r in rows}
    assert by_id[4].status == "sent"  # the call that was awaiting its answer when it failed
    assert by_id[5].status == "pending" and "not sent" in by_id[5].last_error
    assert ("call", 5, events[0][2]) not in events
    assert {r.status for r in rows if r.id > 5} == {"pending"}
    assert {r.attempts for r in rows if r.id > 5} == {0}


def test_a_stop_puts_back_the_prepared_call(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows, events, _, _ = staged_run(tmp_path, 30, 1, stop_after=6)
    sent = [r for r in rows if r.status == "sent"]
    assert len(sent) == 6
    called = {d for what, d, _ in events if what == "call"}
    prepared_only = {d for what, d, _ in events if what == "prepared"} - called
    assert len(prepared_only) == 1  # prepared during the sixth hand-over, then the stop
    (left,) = prepared_only
    row = next(r for r in rows if r.id == left)
    assert row.status == "pending" and row.attempts == 0
    # Both deliveries the thread held claimed are put back without using up an attempt.
    assert {r.status for r in rows} == {"sent", "pending"}
    assert {r.attempts for r in rows if r.status == "pending"} == {0}
