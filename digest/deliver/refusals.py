"""Refusals of our own SMTP server, fed to the bounce policy the provider webhooks use.

A recipient refused at RCPT or DATA (:class:`~digest.errors.RecipientRefused`) is read
by :func:`digest.bounce_codes.classify` and becomes a bounce event of the delivery's call
(matched by its tag, as a webhook's event is), stored once, with the policy applied in the
same transaction (:mod:`digest.store.mail_events`):

- hard (550 5.1.1): the address is suppressed as ``bounced``; the delivery is failed with
  the reply and never retried (`digest deliveries retry-failed` leaves it too);
- soft (4.x.x, a full mailbox): tried again as the retry policy says; when the tries run
  out, one soft bounce counts for this edition, and three in a row on separate editions
  suppress. If the same server later accepts the address, the run ends (a ``delivered``
  event), as a provider's delivered event ends it;
- about us, not the address (5.7.x spam or policy, relaying denied): failed or retried
  with the reply, the address stays subscribed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from digest.attempts import RetryPolicy
from digest.bounce_codes import classify
from digest.clock import now
from digest.deliver.resolve import recipients
from digest.errors import ProviderError, RecipientRefused
from digest.store import Engine
from digest.store.ledger import DeliveryRow
from digest.store.mail_events import SOFT_LIMIT, record_all, soft_run_by
from digest.types import MailEvent

PROVIDER = "smtp"  # who reports these events: our own server's replies
TAG = 16  # the start of the idempotency key that names the call (digest.store.event_match)


@dataclass
class RefusalBook:
    """One sending run's bookkeeping of refusals. ``soft`` holds the addresses whose soft run our
    server started, read once per run: its acceptance of one of them ends the run."""

    engine: Engine
    key: bytes
    retry: RetryPolicy
    soft: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, engine: Engine, key: bytes, retry: RetryPolicy) -> RefusalBook:
        return cls(engine, key, retry, soft_run_by(engine, PROVIDER))

    def refused(self, row: DeliveryRow, exc: RecipientRefused) -> ProviderError:
        """Record what the refusal means for the address; the error the ledger records."""
        verdict = classify(exc.status_code, exc.reply)
        last_try = not (exc.retryable and row.attempts < self.retry.max_attempts)
        if not verdict.about_address:
            if not last_try:
                return exc
            return _failed(exc, "a refusal about the sender or the message, not the address, which stays "
                                "subscribed (see digest doctor)")
        if not (verdict.hard or last_try):
            return exc  # tried again; counts only if every try is refused
        event = self._event(row, exc.recipient, "bounced", verdict.hard, exc.reply)
        suppressed = record_all(self.engine, [event], self.key).suppressed
        if verdict.hard or suppressed:
            return _failed(exc, "the address is suppressed as bounced and never mailed again")
        return _failed(exc, f"counted as a soft bounce ({SOFT_LIMIT} in a row on separate editions suppress)")

    def accepted(self, row: DeliveryRow) -> None:
        """The server took a message it refused before: the address's soft run ends."""
        if not self.soft:
            return
        back = [a for a in recipients(row) if a.lower() in self.soft]
        if back:
            events = [self._event(row, a, "delivered", False, "accepted after a refusal") for a in back]
            record_all(self.engine, events, self.key)
            self.soft.difference_update(a.lower() for a in back)

    def _event(self, row: DeliveryRow, address: str, kind: str, hard: bool, detail: str) -> MailEvent:
        tag = row.idem_key[:TAG]
        return MailEvent(
            event_id=f"{PROVIDER}:{tag}:{kind}",
            provider=PROVIDER,
            kind=kind,
            hard=hard,
            recipient=address,
            message_id="",
            at=now(),
            detail=detail,
            tag=tag,
        )


def _failed(exc: ProviderError, what: str) -> ProviderError:
    """The refusal as a failure the ledger records with the reply, never tried again."""
    return ProviderError(exc.provider, f"{str(exc).partition(': ')[2]}; {what}", status_code=exc.status_code)
