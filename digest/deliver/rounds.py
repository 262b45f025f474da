"""A send whose provider drives every connection from this one thread (SMTP's lanes, see
:mod:`digest.providers.smtp_lanes`), in rounds, with the ledger written on the same thread.

Each round: read every lane's answers (the last message's, then the next message's envelope;
its body is written as soon as the server lets it go on), then ONE transaction that records the
outcomes answered, the hand-overs of the bodies just written (flushed to disk: nothing is handed
over before its record is) and claims the next delivery of every lane, then each lane's
hand-over step (SMTP's final ".") with its next envelope behind it. As with a thread per
connection, at most one message per lane is ever handed over without its outcome recorded.
A claim's transaction checks the pause and the caps (ClaimSpec.limits); ``stop`` is asked once a
round; either way the messages in flight are answered and recorded, the rest stay pending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from digest.deliver.handing import Call, prepared
from digest.providers.driver import Driver, Handed
from digest.store.rows import ClaimSpec, DeliveryRow, Outcome
from digest.store.sendpath import SendPath

# What the dispatcher makes of a call's answer: the outcome to record, and the fault (an error
# that is not the provider's answer) that stops the run; ``reached``: the call handed over.
Finish = Callable[[DeliveryRow, Call, bool], tuple[Outcome, Exception | None]]


def drive(
    lanes: Driver[Any],
    path: SendPath,
    claim: ClaimSpec,
    prepare: Callable[[DeliveryRow], Call],
    finish: Finish,
    stop: Callable[[], bool],
) -> None:
    """Send until nothing is due, a claim is held (``path.held``) or ``stop()``; raises the first fault
    once every message in flight is answered and recorded."""
    flying: dict[int, tuple[DeliveryRow, Call]] = {}  # by id() of the lane's call
    done: list[Outcome] = []
    faults: list[Exception] = []

    def end(row: DeliveryRow, call: Call, reached: bool) -> None:
        outcome, fault = finish(row, call, reached)
        done.append(outcome)
        faults.extend([fault] if fault is not None else [])

    while True:
        handed = [flying[id(c)][0].id for c in lanes.read()]
        for call in lanes.finished():
            end(*flying.pop(id(call)), call.handed)
        want = lanes.width if not faults and not stop() else 0
        rows = path.settle(done, claim if want else None, want, handed)
        done.clear()
        if not rows and not handed and not lanes.busy():
            break
        waiting = iter(rows)
        for i in range(lanes.width):
            lanes.advance(i, _next_call(lanes, waiting, prepare, flying, end))
    if faults:
        raise faults[0]


def _next_call(
    lanes: Driver[Any],
    waiting: Iterator[DeliveryRow],
    prepare: Callable[[DeliveryRow], Call],
    flying: dict[int, tuple[DeliveryRow, Call]],
    end: Callable[[DeliveryRow, Call, bool], None],
) -> Handed | None:
    """The next claimed delivery's call that a lane carries; one that does not (nothing to send,
    or it could not be prepared) is made here and ended at once."""
    for row in waiting:
        call = prepared(prepare, row)
        carried = lanes.takes(call)
        if carried is not None:
            flying[id(carried)] = (row, call)
            return carried
        end(row, call, False)
    return None
