"""Deliveries that failed for a reason that can pass: sent again later, not given up on.

A refused or timed-out connection, a 4xx answer (SMTP 421/450/451, HTTP 408/425/429), a server
error on a request that is safe to repeat: when ``DIGEST_SEND_MAX_ATTEMPTS`` run out within a
run, the delivery is ``failed`` but marked as one that can pass (``transient``). The next
`digest send` puts it back at once; the schedule does so after a growing wait, until
``DIGEST_MAX_LATENESS`` after the edition's slot (:mod:`digest.jobs.retry_job`). A refusal
(a 5xx SMTP answer, a 4xx HTTP answer other than those) is failed for good.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from digest.deliver.records import CANNOT_TELL, Asking
from digest.providers.base import Provider
from digest.store import Engine, doubts
from digest.store.ledger import DeliveryRow, Ledger


def passing(engine: Engine, provider: Provider, key: str) -> list[DeliveryRow]:
    """The deliveries of ``key`` through ``provider`` that failed for a reason that can pass."""
    return doubts.passing(engine, key, provider.channel())


def reopen_passing(engine: Engine, provider: Provider, key: str) -> int:
    """Put them back to be sent, with fresh attempts; returns how many."""
    count = doubts.reopen_passing(
        engine, key, provider.channel(), "sent again: it failed for a reason that can pass"
    )
    if count:
        Ledger(engine).event(
            "info", "retry", f"{count} delivery(ies) that failed for a reason that can pass sent again", key
        )
    return count


def give_up(engine: Engine, provider: Provider, key: str) -> int:
    """Too late to send them: they stay failed for good; returns how many."""
    return doubts.give_up_passing(engine, key, provider.channel())


def what_next(engine: Engine, provider: Provider, key: str, asking: Asking) -> str:
    """What digest does next by itself for ``key``'s failed and unknown deliveries, in words ("" for
    nothing): `digest send` prints it under its report."""
    lines = []
    failing = passing(engine, provider, key)
    if failing:
        lines.append(
            f"{len(failing)} delivery(ies) failed for a reason that can pass ({failing[0].last_error}): "
            "the next digest send tries them again at once; the scheduler does so by itself after a wait"
        )
    waiting = [
        d
        for d in doubts.in_doubt(engine, key, provider.channel())
        if not d.row.last_error.startswith(CANNOT_TELL)
    ]
    if provider.keeps_records and waiting:
        due = asking.after - min(d.age(asking.now, time.time()) for d in waiting)
        when = f" from {datetime.fromtimestamp(asking.now + due, UTC):%Y-%m-%d %H:%M} UTC" if due > 0 else ""
        lines.append(
            f"{len(waiting)} delivery(ies) unknown: {provider.name}'s records are asked{when} by the next "
            f"digest send or scheduler check; what it got is marked sent, what it never got is sent again "
            f"once (after about {provider.settle_window / 60:.0f} minutes)"
        )
    return "\n".join(lines)
