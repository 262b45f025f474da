"""What a provider that drives several calls at once from one thread offers the dispatcher
(:mod:`digest.deliver.rounds`; SMTP's lanes, :mod:`digest.providers.smtp_lanes`)."""

from __future__ import annotations

from typing import Protocol, TypeVar


class Handed(Protocol):
    """A call a lane carries: whether its message was handed over (see :mod:`digest.providers.handover`)."""

    @property
    def handed(self) -> bool: ...


C = TypeVar("C", bound=Handed)


class Driver(Protocol[C]):
    """``width`` lanes, each carrying one call at a time; every method runs on the dispatcher's thread.

    A round: :meth:`read` every lane (the last call's answer, then the next call's first answers and,
    when they let it go on, everything before the hand-over), record the hand-overs, then
    :meth:`advance` each lane (the hand-over step, then the lane's next call). :meth:`finished`
    returns the calls answered since; calling one returns or raises its answer."""

    @property
    def width(self) -> int: ...

    def takes(self, call: object) -> C | None: ...

    def advance(self, i: int, call: C | None) -> None: ...

    def read(self) -> list[C]: ...

    def finished(self) -> list[C]: ...

    def busy(self) -> bool: ...
