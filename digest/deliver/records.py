"""Calls in doubt settled from the provider's own records, without a person (issue 21).

A call that met a server error or a time-out after it left is ``unknown``: the provider may
or may not have got it, and it takes no idempotency key, so it is never blindly made again.
Once ``DIGEST_RECONCILE_AFTER`` has passed since then, the run that owns the edition (the next
`digest send`, or a scheduler check) asks the provider's records (``Provider.received``), and
the webhook events already stored count too:

- the provider got every recipient: ``sent``, at once (finding a record proves it);
- the provider's ``settle_window`` has passed since the call (its records are complete by
  then): whoever it never got is sent again, once: the whole call again with its own key, or,
  when it got part of a batch, a new call for the rest while the call keeps those it got;
- otherwise it waits for the next run.

What nothing can settle stays ``unknown`` for a person (:func:`beyond_records`): a provider that
keeps no records, or a call that was already sent again once and is in doubt again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from digest.deliver.resolve import recipients
from digest.errors import ProviderError
from digest.providers.base import Provider
from digest.providers.records import InDoubt
from digest.store import doubts
from digest.store.doubts import Doubt
from digest.store.ledger import DeliveryRow, Ledger

# The start of an unknown delivery's error once the settle window passed and the provider's
# records could not speak for it: from then on it is left for a person (:func:`beyond_records`).
CANNOT_TELL = "the provider's records cannot tell whether it got this call"


@dataclass(frozen=True)
class Asking:
    """When a run may ask: its clock (epoch seconds) and DIGEST_RECONCILE_AFTER (seconds)."""

    now: float
    after: float

    def due(self, doubt: Doubt) -> bool:
        return doubt.age(self.now, time.time()) >= self.after


@dataclass
class Settled:
    """What one look at the records did, counted in calls."""

    sent: int = 0
    again: int = 0
    waiting: int = 0
    error: str = ""
    people_again: list[str] = field(default_factory=list)


def settle_from_records(ledger: Ledger, provider: Provider, key: str, asking: Asking) -> Settled:
    """Ask the provider's records about the due calls of ``key`` in doubt and act on the answer."""
    done = Settled()
    if not provider.keeps_records:
        return done
    due = [d for d in doubts.in_doubt(ledger.engine, key, provider.channel()) if asking.due(d)]
    if not due:
        return done
    calls = [_call(ledger, provider, d) for d in due]
    try:
        found = provider.received(calls)
    except ProviderError as exc:
        found, done.error = {}, str(exc)
        message = f"{provider.name}'s records could not be read: {exc}; asked again later"
        ledger.event("warning", "records", message, key)
    for doubt, call in zip(due, calls, strict=True):
        _act(ledger, provider, doubt, call, found.get(call.delivery_id), asking, done)
    if done.sent or done.again:
        ledger.event("info", "reconciled", _summary(provider, done), key)
    return done


def _call(ledger: Ledger, provider: Provider, doubt: Doubt) -> InDoubt:
    people = tuple(recipients(doubt.row))
    told = doubts.reported(ledger.engine, provider.name, doubt.row.edition_key, people)
    return InDoubt(
        delivery_id=doubt.row.id,
        edition_key=doubt.row.edition_key,
        marker=doubt.row.idem_key[:16],
        recipients=people,
        made_at=doubt.updated_at,
        reported=frozenset(told),
    )


def _act(
    ledger: Ledger,
    provider: Provider,
    doubt: Doubt,
    call: InDoubt,
    records: frozenset[str] | None,
    asking: Asking,
    done: Settled,
) -> None:
    """One call: sent (all found), sent again (settled and none found), split, or left waiting."""
    engine, row, name = ledger.engine, doubt.row, provider.name
    people = {p.lower() for p in call.recipients}
    got = set(records or ()) | set(call.reported)
    settled = doubt.age(asking.now, time.time()) >= provider.settle_window
    if people and got >= people:
        done.sent += doubts.mark_sent(engine, row.id, f"{name}'s records show it got this call; marked sent")
    elif records is None:  # its records do not speak for this call (not kept for it, or unreadable)
        done.waiting += 1
        if settled and not row.last_error.startswith(CANNOT_TELL):
            why = done.error or f"{name} keeps no record of it that digest can read"
            doubts.note(engine, row.id, f"{CANNOT_TELL} ({why}); before: {row.last_error}")
    elif not settled or row.resends > 0:
        done.waiting += 1  # too early to trust an absence, or already sent again once: not twice
    elif not got:
        note = f"{name}'s records show it never got this call; sent again once"
        if doubts.send_again(engine, row.id, note):
            done.again += 1
            done.people_again += sorted(people)
    else:
        missing = sorted(people - got)
        note = f"{name}'s records show it got {len(got & people)} of {len(people)}; the others sent again"
        again = doubts.split(engine, row, got, note, f"{name} never got these in #{row.id}; sent again once")
        if again is not None:
            done.sent += 1
            done.again += 1
            done.people_again += missing


def _summary(provider: Provider, done: Settled) -> str:
    parts = []
    if done.sent:
        parts.append(f"{done.sent} call(s) it got marked sent")
    if done.again:
        shown = ", ".join(done.people_again[:10]) + (" and more" if len(done.people_again) > 10 else "")
        parts.append(f"{done.again} call(s) it never got sent again once ({shown})")
    return f"{provider.name}'s records: " + "; ".join(parts)


def settleable(ledger: Ledger, provider: Provider, key: str, asking: Asking) -> bool:
    """Whether asking the records now could settle something: a call in doubt that is due."""
    if not provider.keeps_records:
        return False
    return any(asking.due(d) for d in doubts.in_doubt(ledger.engine, key, provider.channel()))


def beyond_records(ledger: Ledger, provider: Provider, key: str, asking: Asking) -> list[DeliveryRow]:
    """Calls of ``key`` in doubt that nothing will settle: only a person can say.

    A message provider without records (the caller knows whether the mode settles by itself:
    :func:`digest.deliver.modes.for_a_person`); a call its records could not speak for once the
    settle window had passed (an account without the provider's records add-on, records that
    cannot be read); or a call sent again once after the records and in doubt again, once the
    window has passed.
    """
    left = []
    for d in doubts.in_doubt(ledger.engine, key, provider.channel()):
        old = d.age(asking.now, time.time()) >= max(provider.settle_window, asking.after)
        if not provider.keeps_records or d.row.last_error.startswith(CANNOT_TELL) or (old and d.row.resends):
            left.append(d.row)
    return left
