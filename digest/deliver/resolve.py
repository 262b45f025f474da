"""Staff settle what digest will not settle by itself: ``unknown`` and ``failed`` email deliveries.

A delivery is ``unknown`` when its call may or may not have reached the provider
(a timeout after the request went out, a crash mid-call) and the provider can
neither be asked nor trusted with a repeat: digest never resends it on its own.
Staff check (the provider's log, a colleague's inbox) and then say which it was:

- :func:`resolve_sent`: it arrived; the row becomes ``sent``.
- :func:`resolve_resend`: it did not; the row goes back to ``pending`` with its
  idempotency key unchanged, and the next `digest send` or scheduler check sends it.
- :func:`retry_failed`: rows the provider refused (or that ran out of attempts)
  go back to ``pending`` the same way, except those whose address may not be mailed any
  more (a hard bounce suppressed it, it left, it was removed).

After every change the edition's status is worked out again from its email rows
with :func:`edition_outcome`, the rule a send itself finishes with. Every action
is recorded as an event. Social posts are deliveries too, but are handled by
`digest social`; only ``email:*`` channels are touched here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from digest.config import Settings
from digest.deliver.counts import recipient_counts as recipient_counts  # where it was first
from digest.providers.registry import provider_class
from digest.store import Engine, repairs
from digest.store.ledger import DeliveryRow, Ledger
from digest.store.rows import CAMPAIGN as CAMPAIGN  # these six live with the row type now
from digest.store.rows import EMAIL as EMAIL
from digest.store.rows import RESOLVABLE
from digest.store.rows import SOCIAL as SOCIAL
from digest.store.rows import people_by_status as people_by_status
from digest.store.rows import recipients as recipients
from digest.store.rows import skipped as skipped
from digest.store.subscribers import active_among

# Editions whose status follows their email deliveries; others (skipped, missed...) are left alone.
SETTLED_BY_ROWS = ("sending", "sent", "partial", "failed")


# -- reading ----------------------------------------------------------------
def channel_counts(engine: Engine, key: str, prefix: str = EMAIL) -> dict[str, int]:
    """status -> number of deliveries of edition ``key`` on channels starting with ``prefix``."""
    return repairs.channel_counts(engine, key, prefix)


def email_rows(engine: Engine, edition: str | None = None, statuses: Sequence[str] = ()) -> list[DeliveryRow]:
    """Email deliveries in the order they were recorded."""
    return repairs.rows_on(engine, EMAIL, edition, statuses)


# -- the edition's status from its rows ------------------------------------
def trouble_text(counts: dict[str, int]) -> str:
    parts = []
    if counts.get("failed"):
        parts.append(f"{counts['failed']} failed")
    if counts.get("unknown"):
        parts.append(f"{counts['unknown']} unknown (may or may not have arrived; not resent)")
    return "deliveries " + " and ".join(parts)


def edition_outcome(counts: dict[str, int]) -> tuple[str, str]:
    """(status, reason) of an edition from its email delivery counts.

    Anything pending or in flight: ``sending``; else every delivery failed (none sent,
    none unknown): ``failed``, so no later run can call it "already sent"; else any
    failed or unknown: ``partial``; else ``sent``.
    """
    waiting = counts.get("pending", 0) + counts.get("sending", 0)
    if waiting:
        return "sending", f"{waiting} deliver{'y waits' if waiting == 1 else 'ies wait'} to be sent"
    if counts.get("failed", 0) and not counts.get("sent", 0) and not counts.get("unknown", 0):
        return "failed", trouble_text(counts)
    if counts.get("failed", 0) + counts.get("unknown", 0):
        return "partial", trouble_text(counts)
    return "sent", ""


def recompute(engine: Engine, key: str) -> str | None:
    """Set edition ``key``'s status from its email rows; returns the new status (None: left alone).

    The first ``sent_at`` is kept: resolving a delivery later does not move the send date.
    """
    status, reason = edition_outcome(channel_counts(engine, key))
    return status if repairs.set_edition_status(engine, key, status, reason, SETTLED_BY_ROWS) else None


# -- acting -----------------------------------------------------------------
@dataclass
class Resolution:
    """What one command did: the rows changed per edition, what was left and why."""

    action: str
    changed: dict[str, list[int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    statuses: dict[str, str | None] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.changed.values())

    def lines(self) -> list[str]:
        out = [f"skipped: {why}" for why in self.skipped]
        for key, ids in self.changed.items():
            status = self.statuses.get(key)
            after = f"; {key} is now {status}" if status else ""
            out.append(f"{key}: {len(ids)} delivery(ies) {self.action} ({_ids(ids)}){after}")
        if not self.changed:
            out.append(f"nothing {self.action}")
        return out


def resolve_sent(engine: Engine, ids: Iterable[int], note: str = "") -> Resolution:
    """Staff checked: these unknown (or failed) deliveries arrived. They become ``sent``."""
    done = Resolution("marked sent")
    rows = _wanted(engine, ids, done)
    _move(engine, rows, "sent", f"marked sent by staff{_note(note)}", done)
    _finish(engine, done, "marked sent by staff", note)
    return done


def resolve_resend(
    engine: Engine, ids: Iterable[int], *, current_key: str, channel: str, note: str = ""
) -> Resolution:
    """Staff checked: these did not arrive. Back to ``pending``, same idempotency key.

    Only rows of this period's edition on the configured provider's channel: those
    are the ones the next `digest send` or scheduler check sends.
    """
    done = Resolution("put back to be sent again")
    rows = _sendable(_wanted(engine, ids, done), current_key, channel, done)
    _move(engine, rows, "pending", f"to be sent again (staff checked it did not arrive){_note(note)}", done)
    _finish(engine, done, "put back to be sent again by staff", note)
    return done


def this_period(settings: Settings, now: datetime) -> tuple[str, str]:
    """This period's edition key and the configured provider's channel: the only deliveries the
    next `digest send` or scheduler check sends."""
    from digest.compose.build import current_period  # the edition pipeline: only a resend needs it

    return current_period(settings, now)[0], provider_class(settings.provider).channel()


def resend(
    settings: Settings, engine: Engine, ids: Iterable[int], *, now: datetime, note: str = ""
) -> Resolution:
    """`digest deliveries resolve --resend` and the dashboard's resend: :func:`resolve_resend`
    for this period's edition on the configured provider."""
    key, channel = this_period(settings, now)
    return resolve_resend(engine, ids, current_key=key, channel=channel, note=note)


def retry_failed(engine: Engine, *, edition: str, channel: str, note: str = "") -> Resolution:
    """Every failed email delivery of ``edition`` back to ``pending`` (after fixing the cause)."""
    done = Resolution("put back to be retried")
    rows = email_rows(engine, edition, ("failed",))
    rows = _mailable(engine, _sendable(rows, edition, channel, done), done)
    _move(engine, rows, "pending", f"retried by staff{_note(note)}", done)
    _finish(engine, done, "failed deliveries retried by staff", note)
    return done


def reopen(engine: Engine, ids: Sequence[int], note: str) -> int:
    """Failed deliveries whose call never happened (the login was refused) back to ``pending``.

    Not an attempt: the count goes back down. Used by a send, not by staff; no event.
    """
    return repairs.reopen_failed(engine, ids, note)


def _wanted(engine: Engine, ids: Iterable[int], done: Resolution) -> list[DeliveryRow]:
    """The rows asked for that can be resolved; the others are reported in ``done.skipped``."""
    wanted = sorted(set(ids))
    found = repairs.rows_by_id(engine, wanted)
    rows = []
    for n in wanted:
        row = found.get(n)
        if row is None:
            done.skipped.append(f"#{n}: no such delivery (see digest deliveries)")
        elif not row.channel.startswith(EMAIL):
            done.skipped.append(f"#{n} is a social post; use digest social")
        elif row.status not in RESOLVABLE:
            done.skipped.append(f"#{n} is {row.status}; only unknown or failed deliveries can be resolved")
        else:
            rows.append(row)
    return rows


def _sendable(rows: list[DeliveryRow], current_key: str, channel: str, done: Resolution) -> list[DeliveryRow]:
    keep = []
    for row in rows:
        if row.edition_key != current_key:
            done.skipped.append(
                f"#{row.id} belongs to {row.edition_key}, not this period's edition {current_key}; "
                "digest send only sends the current edition (use --sent, or send it by hand)"
            )
        elif row.channel != channel:
            done.skipped.append(
                f"#{row.id} went through {row.channel.removeprefix(EMAIL)}, but DIGEST_PROVIDER is now "
                f"{channel.removeprefix(EMAIL)}; it would not be sent again"
            )
        else:
            keep.append(row)
    return keep


def _mailable(engine: Engine, rows: list[DeliveryRow], done: Resolution) -> list[DeliveryRow]:
    """Rows with an address that may still be mailed: one that bounced for good (or left, or was
    removed) is never retried."""
    active = active_among(engine, [a for row in rows for a in recipients(row)])
    keep = []
    for row in rows:
        addresses = recipients(row)
        if row.target == CAMPAIGN or any(a.lower() in active for a in addresses):
            keep.append(row)
        else:
            who = ", ".join(addresses)
            done.skipped.append(f"#{row.id}: {who} may not be mailed any more (bounced, left or removed)")
    return keep


def _move(engine: Engine, rows: list[DeliveryRow], status: str, note: str, done: Resolution) -> None:
    """Change rows still in a resolvable status (a concurrent change wins); idem_key never changes."""
    changed = set(repairs.move_rows(engine, [r.id for r in rows], RESOLVABLE, status, note))
    for row in rows:
        if row.id in changed:
            done.changed.setdefault(row.edition_key, []).append(row.id)
        else:
            done.skipped.append(f"#{row.id} changed meanwhile; look again with digest deliveries")


def _finish(engine: Engine, done: Resolution, what: str, note: str) -> None:
    from digest.deliver.lease import holding
    from digest.errors import EditionBusy

    ledger = Ledger(engine)
    for key, ids in done.changed.items():
        try:
            with holding(ledger, key, wait=5.0):  # a running send decides its edition's status itself
                done.statuses[key] = recompute(engine, key)
        except EditionBusy:
            done.statuses[key] = None
        after = f"; the edition is now {done.statuses[key]}" if done.statuses[key] else ""
        message = f"{len(ids)} delivery(ies) {what} ({_ids(ids)}){_note(note)}{after}"
        ledger.event("info", "resolved", message, key)


def _ids(ids: Sequence[int]) -> str:
    shown = ", ".join(f"#{n}" for n in ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _note(note: str) -> str:
    return f": {note}" if note else ""
