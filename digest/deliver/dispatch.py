"""Claim-and-send: the seam a job queue could take over for the fan-out.

Each claimed delivery is marked ``sending`` with a lease in the ledger before
the provider is called. Outcomes map to ledger states:
success -> sent; no call, every recipient having left the list since -> skipped;
retryable error -> pending again at a later time (capped exponential backoff, or
the provider's own wait); unknown outcome -> unknown (reconciled, never blindly
resent); any other error -> failed.

With ``workers`` > 1, that many threads claim and send at once (SMTP uses one
per connection), so at most ``workers`` calls are ever in flight: after a
crash, at most that many deliveries can be ``unknown``. One
:class:`~digest.deliver.writer.LedgerWriter` thread commits the outcomes and
claims of all of them together (group commit); each thread still waits for its
own claim to be committed before it sends. With a provider that records its
hand-overs, the flushed hand-over of each message also claims the thread's next
delivery (:func:`_drain_handing_over`): one transaction per message; given ``prepare``,
that next call is prepared while the provider waits for the answer to this one.

A provider that drives all its calls from one thread (SMTP's lanes) gets no threads and no
writer: :func:`digest.deliver.rounds.drive` claims, records and sends in rounds, with the same
promise (at most one message per connection handed over without its outcome recorded).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from digest.attempts import RetryPolicy, dead_owners, owner_id
from digest.deliver.handing import Call, Handover, Reached
from digest.deliver.rounds import drive
from digest.deliver.writer import LedgerWriter
from digest.errors import ProviderError
from digest.pacing import Limits
from digest.providers.base import SendResult
from digest.providers.driver import Driver
from digest.providers.handover import watching
from digest.store.ledger import DeliveryRow, Ledger
from digest.store.rows import ClaimSpec, Outcome, Question

__all__ = ["DispatchStats", "Policy", "dead_owners", "dispatch", "owner_id"]

LOOK_AGAIN = 1.0  # seconds between claims while every due delivery waits for its retry time
# Seconds a flushed ledger transaction waits for the other sending threads' hand-overs, so one disk
# flush serves them all (about an SMTP round trip and a body write on a local network).
GATHER = 0.002


@dataclass
class DispatchStats:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0
    recovered: int = 0  # left ``sending`` by a crashed sender, settled at the start of this run
    skipped: int = 0  # not called: every recipient had left the list since the send began
    # Why the run stopped with work left, at a safe point (between two calls): "" (it did
    # not), "interrupted" (a signal, a lost lease), "paused" or "capped" (digest/stopping.py).
    stopped: str = ""


@dataclass(frozen=True)
class Policy:
    """How hard to try: the retry policy (attempts per delivery, the longest in-run wait), the lease.

    ``staged``: the provider records its hand-overs (:mod:`digest.providers.handover`);
    ``resend_doubtful``: after a crash, a message handed over without an answer is sent
    again once (see :mod:`digest.store.recovery`); ``clock``: the run's time (epoch seconds),
    kept with an unknown outcome so the provider's records are asked after the right wait;
    ``ahead``: a call follows its preparation within moments (SMTP), so each sending thread
    holds two claimed deliveries and prepares the next while this one's hand-over is flushed.
    """

    retry: RetryPolicy = RetryPolicy()
    lease: float = 300.0
    workers: int = 1
    staged: bool = False
    resend_doubtful: bool = False
    clock: Callable[[], float] = time.time
    ahead: bool = False


def dispatch(
    ledger: Ledger,
    key: str,
    channel: str,
    send: Callable[[DeliveryRow], SendResult],
    *,
    policy: Policy = Policy(),
    on_progress: Callable[[int], None] | None = None,
    wait: Callable[[float], None] = time.sleep,
    stop: Callable[[], bool] | None = None,
    limits: Limits | None = None,
    prepare: Callable[[DeliveryRow], Call] | None = None,
    ask: Callable[[Sequence[DeliveryRow]], Question | None] | None = None,
    lanes: Driver[Any] | None = None,
) -> DispatchStats:
    """Send every due delivery of (key, channel) until none are left or all wait too long.

    Safe points are the claims: ``stop`` is asked before each (a signal), and with ``limits``
    each claim's transaction checks the pause and the caps (:mod:`digest.store.gate`); the calls
    in flight are answered and recorded, the rest stay ``pending``, ``stopped`` says why.
    ``prepare(row)()`` does what ``send(row)`` does, in two steps: with a provider that records
    its hand-overs, the first runs while the provider awaits the previous call's answer.
    ``ask``: what each claim's transaction reads about the deliveries it claims (ClaimSpec.ask).
    ``lanes``: the provider drives every call from this thread (:mod:`digest.deliver.rounds`),
    with ``prepare`` (a provider that records its hand-overs)."""
    stats = DispatchStats()
    lock = threading.Lock()
    claim = ClaimSpec(key, channel, owner_id(), policy.lease, limits, ask)
    dead = dead_owners(ledger.lease_owners(key))
    stats.recovered = ledger.expire_leases(
        key, dead, staged=policy.staged, resend_doubtful=policy.resend_doubtful
    )

    def stopped() -> bool:
        return stop is not None and stop()

    def drain(writer: LedgerWriter) -> None:
        if policy.staged:
            try:
                _drain_handing_over(writer, send, stats, lock, policy, on_progress, stopped, prepare)
            finally:
                writer.leaving()
            return
        # Each outcome is recorded in the same commit as the claim of this thread's next delivery.
        row = writer.next(None, want=not stopped())
        while row is not None:
            outcome, fault = _one(row, partial(send, row), stats, lock, policy)
            if on_progress:
                with lock:
                    on_progress(1)
            row = writer.next(outcome, want=fault is None and not stopped())
            if fault is not None:
                raise fault

    def finish(row: DeliveryRow, call: Call, reached: bool) -> tuple[Outcome, Exception | None]:
        outcome, fault = _one(row, call, stats, lock, policy, Reached(reached))
        if on_progress:
            on_progress(1)
        return outcome, fault

    while True:
        if lanes is not None and prepare is not None and policy.staged:
            # The hand-overs are recorded, so a claim need not survive a power cut (see SendPath).
            with ledger.send_path(durable_claims=False) as path:
                drive(lanes, path, claim, prepare, finish, stopped)
            held = path.held
        else:
            held = _threads(ledger, claim, policy, drain)
        if held or stopped():  # held: paused or capped, as a claim's transaction found
            stats.stopped = held
            return stats
        if not _wait_for_retries(ledger, key, channel, wait, policy.retry.max_wait):
            return stats


def _threads(ledger: Ledger, claim: ClaimSpec, policy: Policy, drain: Callable[[LedgerWriter], None]) -> str:
    """A sending thread per worker, one ledger writer for them all; why a claim was held ("": none)."""
    # A claim need not survive a power cut when the hand-over is recorded (see SendPath).
    gather = GATHER if policy.staged else 0.0
    with LedgerWriter(
        ledger, claim, durable_claims=not policy.staged, threads=policy.workers, gather=gather
    ) as writer:
        _run(lambda: drain(writer), policy.workers)
    return writer.held


def _run(drain: Callable[[], None], workers: int) -> None:
    if workers <= 1:
        drain()
        return
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            drain()
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, name=f"send-{n}", daemon=True) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _drain_handing_over(
    writer: LedgerWriter,
    send: Callable[[DeliveryRow], SendResult],
    stats: DispatchStats,
    lock: threading.Lock,
    policy: Policy,
    on_progress: Callable[[int], None] | None,
    stopped: Callable[[], bool],
    prepare: Callable[[DeliveryRow], Call] | None = None,
) -> None:
    """One sending thread of a provider that records its hand-overs: each hand-over's flushed
    transaction records the thread's earlier outcomes and claims a delivery, so at most one
    message per thread is ever handed over without its outcome recorded. With ``prepare`` the
    thread holds two claimed deliveries (none handed over): the next call is prepared while this
    one's hand-over is flushed, and nothing waits for the interpreter lock meanwhile."""
    done: list[Outcome] = []  # outcomes not yet recorded: they go with the next transaction
    depth = 2 if prepare is not None and policy.ahead else 1  # claimed deliveries held, none handed over
    claimed = [r for r in [writer.next(None, want=not stopped())] if r is not None]
    if claimed and depth == 2 and (second := writer.next([], want=not stopped())) is not None:
        claimed.append(second)
    ready: Call | None = None
    while claimed:
        row = claimed.pop(0)
        spare = claimed[0] if claimed else None
        hook = Handover(writer, row.id, done, lambda: not stopped(), prepare, spare)
        outcome, fault = _one(row, ready or partial(send, row), stats, lock, policy, hook)
        done.append(outcome)
        if on_progress:
            with lock:
                on_progress(1)
        claimed += [hook.next] if hook.next is not None else []
        ready = hook.ready if claimed and hook.ready_for is claimed[0] else None
        if claimed and (fault is not None or stopped()):
            done += [release(r) for r in claimed]  # claimed ahead, never sent: due again at once
            claimed, ready = [], None
        want = fault is None and not hook.reached and not stopped()
        if not claimed or (want and len(claimed) < depth):
            if (got := writer.next(done, want=want)) is not None:
                claimed.append(got)
            done = []
        if fault is not None:
            raise fault


def release(row: DeliveryRow) -> Outcome:
    """Put a claimed delivery back as it was before the claim, for another call or run."""
    return Outcome(row.id, "pending", error=row.last_error, released=True)


def _one(
    row: DeliveryRow,
    call: Call,
    stats: DispatchStats,
    lock: threading.Lock,
    policy: Policy,
    hook: Handover | Reached | None = None,
) -> tuple[Outcome, Exception | None]:
    """Make the call; return the outcome to record, and the fault that must stop the run.

    A fault is an exception that is not the provider's answer (a bug, a library
    error): the run stops after recording it. If the call had not handed anything
    over it was not delivered and waits to be sent again (like a retryable error);
    otherwise it is ``unknown``.
    """
    try:
        with watching(hook, hook.meanwhile if hook is not None else None):
            result = call()
    except ProviderError as exc:
        after = policy.retry.after(exc, row.attempts, time.time())
        kind = "retried" if after.status == "pending" else after.status
        doubt = policy.clock() if after.status == "unknown" else None
        outcome = Outcome(
            row.id,
            after.status,
            error=str(exc),
            retry_at=after.retry_at,
            transient=after.transient,
            doubt_at=doubt,
        )
    except Exception as exc:
        kind, outcome = _fault(row, exc, policy, hook)
        with lock:
            setattr(stats, kind, getattr(stats, kind) + 1)
        return outcome, exc
    else:
        error = "; ".join(f"{addr}: {why}" for addr, why in result.rejected)
        kind = "skipped" if result.skipped else "sent"
        outcome = Outcome(row.id, kind, provider_id=result.provider_id, error=error)
    with lock:
        setattr(stats, kind, getattr(stats, kind) + 1)
    return outcome, None


def _fault(
    row: DeliveryRow, exc: Exception, policy: Policy, hook: Handover | Reached | None
) -> tuple[str, Outcome]:
    error = f"internal error during the call ({type(exc).__name__}: {str(exc)[:200]})"
    if hook is None or hook.reached:
        note = error + "; it may have gone out"
        return "unknown", Outcome(row.id, "unknown", error=note, doubt_at=policy.clock())
    if row.attempts < policy.retry.max_attempts:
        retry_at = time.time() + policy.retry.backoff(row.attempts, None)
        return "retried", Outcome(row.id, "pending", error=error + "; not sent", retry_at=retry_at)
    return "failed", Outcome(row.id, "failed", error=error + "; not sent")


def _wait_for_retries(
    ledger: Ledger, key: str, channel: str, wait: Callable[[float], None], max_wait: float
) -> bool:
    """If pending rows wait for a retry time within ``max_wait``, sleep towards the first; else stop."""
    due = ledger.next_retry_at(key, channel)
    if due is None:
        return False
    delay = due - time.time()
    if delay > max_wait:
        return False
    # A second at a time: each wake-up claims again, so a pause or a stop is seen within seconds.
    wait(min(max(delay, 0.0), LOOK_AGAIN))
    return True
