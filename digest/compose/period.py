"""Which edition the articles read now will go out in: what `digest preview` and `digest sources` show.

Mostly this period's (the last due slot of the schedule). The next slot's instead when this
period's edition is done (sent, skipped, missed, being sent), when no slot has come yet, or when
its slot passed more than DIGEST_MAX_LATENESS ago with nothing of it frozen: the scheduler never
sends that one (on a fresh install it waits for the next slot; later it marks it missed), so
promising it would promise articles to an edition that never goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.compose.build import current_period
from digest.config import Settings
from digest.schedule import last_due_slot, next_slots, period_key
from digest.store.seen import ArticleBook

# Statuses after which the period's edition will not go out (again).
FINISHED = {"sent": "was already sent", "partial": "was already sent (partly)", "skipped": "was skipped",
            "missed": "was missed", "ready": "is being sent", "sending": "is being sent",
            "failed": "failed (nothing of it was sent; see digest deliveries)"}


@dataclass(frozen=True)
class Coming:
    """The edition's key and slot, and why it is not this period's ("" when it is)."""

    key: str
    slot: datetime
    note: str = ""


def coming_period(
    settings: Settings, ledger: ArticleBook, now: datetime, uncounted: Sequence[str] = ()
) -> Coming:
    """The edition that will carry what is new now (see the module's docstring). An edition that
    went only to ``uncounted`` channels (a rehearsal, which the real send sets aside) leaves its
    period open, as `digest send` does."""
    key, slot = current_period(settings, now)
    row = ledger.edition(key)
    if row is not None and row.status in FINISHED and not ledger.rehearsals(uncounted, [key]):
        sent = f" on {row.sent_at:%Y-%m-%d %H:%M} UTC" if row.sent_at else ""
        state = FINISHED[row.status]
        if row.status == "ready" and settings.approval == "email":
            state = "is frozen and waits for approval (the email's link, or the dashboard's calendar)"
        why = f"This period's edition ({key}) {state}{sent}; nothing more goes out for it."
    elif last_due_slot(settings.cadence, now) is None:
        why = ""
    elif (row is None or row.status == "building") and now - slot > settings.max_lateness:
        when = slot.astimezone(settings.cadence.zone).strftime("%Y-%m-%d %H:%M")
        why = (f"{key} was due {when}, more than DIGEST_MAX_LATENESS ({settings.max_lateness_text}) ago, "
               "and nothing of it went out: the scheduler will not send it (`digest send` now still would).")
    else:
        return Coming(key, slot)
    upcoming = next_slots(settings.cadence, max(slot, now), 1)
    next_slot = upcoming[0] if upcoming else slot
    next_key = period_key(settings.cadence, next_slot)
    when = next_slot.astimezone(settings.cadence.zone).strftime("%Y-%m-%d %H:%M")
    due = f"{next_key}, due {when} ({settings.timezone})"
    ahead = ledger.edition(next_key)
    if ahead is not None and ahead.status == "ready":  # frozen ahead for approval, with its articles
        due += " (already frozen for approval with its articles: what is new now waits for the one after)"
    return Coming(next_key, next_slot, f"{why} What is new goes out in {due}.".lstrip())
