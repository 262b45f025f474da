"""What a send held back at a safe point says: how far it got, why it stopped (a signal, a
pause, a cap) and how the rest goes out."""

from __future__ import annotations

from digest.deliver.pace import Progress, progress_of, sent_of
from digest.pacing import PER_DAY, PER_HOUR, Caps
from digest.stopping import CAPPED, PAUSED
from digest.store import Engine
from digest.store.ledger import Ledger


def held_text(engine: Engine, key: str, reason: str, caps: Caps, channel: str) -> tuple[str, float | None]:
    """The report of a run that stopped with recipients left, and (capped) when the rest can go."""
    sent, total = sent_of(engine, key)
    done = f"{key}: {sent} of {total} recipients sent"
    if reason == CAPPED:
        where = progress_of(engine, caps, key, channel, sent, total)
        return f"{done}; {capped_text(where, caps)}", where.outlook.resume_at
    if reason == PAUSED:
        return (
            f"{done}; paused{_by(engine, key)}, between two messages. The other {total - sent} wait "
            "until digest resume; then digest send, or the schedule, sends them (nobody gets it twice)"
        ), None
    return (
        f"{done}; stopped between two messages, so none was cut off. The other {total - sent} wait: "
        "run digest send again to send them (nobody gets it twice)"
    ), None


def paused_text(engine: Engine, key: str) -> str:
    """What a run that found ``key`` paused says: it did nothing."""
    sent, total = sent_of(engine, key)
    so_far = f"; {sent} of {total} recipients sent so far" if total else ""
    return (
        f"{key} is paused{_by(engine, key)}{so_far}; nothing sent. Run digest resume to let digest "
        "send and the schedule continue it"
    )


def capped_text(where: Progress, caps: Caps) -> str:
    """'DIGEST_SEND_MAX_PER_HOUR (30) is reached. The other 20 go from ..., all by about ...'."""
    limit = {PER_HOUR: caps.per_hour, PER_DAY: caps.per_day}.get(where.outlook.holding)
    held = f"{where.outlook.holding} ({limit})" if limit else "the warm-up ramp (DIGEST_SEND_WARMUP)"
    when = f" from {where.resume_text()}" if where.outlook.resume_at else ""
    finish = f", all by about {where.finish_text()}" if where.outlook.finish_at else ""
    return (
        f"{held} is reached. The other {where.rest} go{when}{finish}: the schedule (digest run) "
        "sends them, or run digest send again then"
    )


def _by(engine: Engine, key: str) -> str:
    pause = Ledger(engine).pause_of(key)
    return f" ({pause.by}, {pause.at:%Y-%m-%d %H:%M} UTC)" if pause else ""
