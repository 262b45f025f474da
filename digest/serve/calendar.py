"""The dashboard's calendar: the coming editions and social posts by date, with their approval
state, and the approval buttons of an edition that waits for one (DIGEST_APPROVAL=email)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.store import Engine

SLOTS = 6  # coming slots shown

APPROVAL_TEXT = {"approved": "approved", "held": "held", "waiting": "waiting for approval"}


def calendar(settings: Settings, engine: Engine, now: datetime) -> list[dict[str, Any]]:
    """One row per coming email slot (and social slot, with DIGEST_SOCIAL_SCHEDULE), by date: what
    goes out, the edition's state, its approval state and whether it can be approved now."""
    from digest.schedule import last_due_slot, next_slots, period_key

    cadence = settings.cadence
    due = last_due_slot(cadence, now)
    coming = next_slots(cadence, now, SLOTS)
    rows = [_edition_row(settings, engine, period_key(cadence, s), s) for s in coming]
    if due is not None:  # the due edition, while it is still to go out (waiting for approval)
        current = _edition_row(settings, engine, period_key(cadence, due), due)
        rows = [current] + rows if current["status"] in ("building", "ready", "sending") else rows
    rows += _post_rows(settings, engine, now, rows)
    zone = cadence.zone
    for row in rows:
        row["date"] = f"{row['when'].astimezone(zone):%a %Y-%m-%d %H:%M}"
    return sorted(rows, key=lambda r: r["when"])


def _edition_row(settings: Settings, engine: Engine, key: str, slot: datetime) -> dict[str, Any]:
    from digest.store.ledger import Ledger
    from digest.store.watch import state_of

    edition = Ledger(engine).edition(key)
    status = edition.status if edition is not None else "not built yet"
    approval = ""
    if settings.approval == "email":
        approval = "waiting" if edition is None else state_of(engine, edition)[0]
        if status not in ("building", "ready", "not built yet"):
            approval = ""
    return {
        "when": slot, "what": "email", "key": key, "status": status,
        "subject": edition.subject if edition is not None else "",
        "approval": APPROVAL_TEXT.get(approval, ""),
        "can_decide": settings.approval == "email" and status == "ready",
        "can_rebuild": settings.approval == "email" and status == "ready",
    }


def _post_rows(
    settings: Settings, engine: Engine, now: datetime, editions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The queued posts: at the next social slot, or with the next email when posts go with it."""
    from digest.schedule import next_slots
    from digest.social.queue import listing

    queued = listing(engine, ["review", "pending"])
    if not queued:
        return []
    approved = sum(1 for r in queued if r.status == "pending")
    waiting = len(queued) - approved
    social = settings.social_cadence
    upcoming = next_slots(social, now, 1) if social is not None else []
    when = upcoming[0] if upcoming else (editions[0]["when"] if editions else now)
    return [{
        "when": when, "what": "social posts", "key": "", "status": f"{len(queued)} queued",
        "subject": f"{approved} approved, {waiting} waiting for review",
        "approval": "approved" if not waiting else "waiting for review",
        "can_decide": False, "can_rebuild": False,
    }]
