"""The moment a message is handed over: before it, the message cannot arrive; after it, it may.

For SMTP that moment is writing the final "." of DATA; for HTTP, sending a request
that is not safe to repeat. A provider with ``records_handover`` calls
:func:`handing_over` just before it, so that after a crash the ledger knows which
calls never handed anything over (sent again, nobody missed) and which are in
doubt (see :mod:`digest.store.recovery`).

The dispatcher installs the hook for each call with :func:`watching`; it lives in
a context variable, so every sending thread has its own. Outside a send (a test
copy, an alert) there is no hook and :func:`handing_over` does nothing.

Once the message is handed over, the call only waits for the answer: a provider says so
with :func:`awaiting_answer`, and the dispatcher uses that wait to prepare the thread's
next call (the question to the list, the links), which would otherwise follow the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Wait = Callable[[], None]

_HOOK: ContextVar[Callable[[], Wait] | None] = ContextVar("digest_handover", default=None)
_MEANWHILE: ContextVar[Callable[[], None] | None] = ContextVar("digest_meanwhile", default=None)


def _ready() -> None:
    return None


def handing_over() -> Wait:
    """Announce the hand-over; returns a function to call right before the step itself.

    The record is written while the caller goes on (an SMTP sender writes the body
    meanwhile); the returned function blocks until it is on disk.
    """
    hook = _HOOK.get()
    return hook() if hook is not None else _ready


def awaiting_answer() -> None:
    """The message is handed over and its answer not read yet: run the dispatcher's work that
    fits in the wait (it never raises; its errors belong to the next call)."""
    meanwhile = _MEANWHILE.get()
    if meanwhile is not None:
        meanwhile()


@contextmanager
def watching(hook: Callable[[], Wait] | None, meanwhile: Callable[[], None] | None = None) -> Iterator[None]:
    """Run the block with ``hook`` called at each hand-over and ``meanwhile`` while an answer
    is awaited (None: neither)."""
    token, waiting = _HOOK.set(hook), _MEANWHILE.set(meanwhile)
    try:
        yield
    finally:
        _MEANWHILE.reset(waiting)
        _HOOK.reset(token)
