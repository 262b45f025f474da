"""Two ways an edition reaches people, chosen once from the provider (:func:`mode_for`).

- :class:`MessageMode`: we own the list. Each call to make (one recipient, or a
  batch of one language) is a delivery row, recorded before any call is made;
  several runs may share the calls. Just before each call the list is asked again
  (one query per batch): whoever left it since is skipped, and recorded so. After a
  crash, a provider that honours our idempotency key simply gets the unknown calls
  again with the same key.
- :class:`CampaignMode`: the provider owns the list. One ``campaign`` row; the
  campaign id is recorded before the campaign is started, and an unknown outcome is
  settled from the provider's own status (:mod:`digest.deliver.campaign`).

Everything in :mod:`digest.deliver` that differs between the two asks the mode; no
other module looks at a provider's kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.utils import parseaddr
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from digest.deliver.campaign import reconcile, send_campaign_row
from digest.deliver.records import Asking, beyond_records, settle_from_records, settleable
from digest.deliver.resolve import CAMPAIGN
from digest.providers.base import Provider, SendResult
from digest.store import Connection, Engine
from digest.store.ledger import DeliveryRow, Ledger
from digest.store.subscribers import not_to_mail
from digest.subscribers import iter_active
from digest.types import Recipient

if TYPE_CHECKING:
    from digest.deliver.messages import Letters
    from digest.providers.http import CampaignProvider

Target = tuple[str, Any]
Gone = Callable[[list[str]], dict[str, str]]  # of these addresses, who may no longer be mailed, and why


class Mode:
    """How one provider's edition goes through the ledger.

    ``owns_list``: we keep the list, so the edition is many calls (other runs may help
    make them) and an empty list would send nothing; a campaign is one call to a list
    the provider keeps.
    """

    owns_list: ClassVar[bool] = True

    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    @property
    def unit(self) -> str:
        """What one call sends, for the progress bar."""
        raise NotImplementedError

    def targets(self, conn: Connection, largest: int = 0) -> Iterator[Target]:
        """(target, data) of every call to make, read from the list inside the snapshot's
        transaction; a batch holds at most ``largest`` messages when it is not 0 (the caps)."""
        raise NotImplementedError

    def can_settle(self) -> bool:
        """Whether a later run can settle unknown deliveries safely (without a person)."""
        raise NotImplementedError

    def settle(self, ledger: Ledger, key: str, channel: str, asking: Asking | None = None) -> None:
        """Before sending: settle the deliveries an earlier run left unknown, where that is safe
        (``asking``: when the provider's records may be asked, see :mod:`digest.deliver.records`)."""
        raise NotImplementedError

    def send(
        self, ledger: Ledger, row: DeliveryRow, letters: Letters, gone: Gone | None = None
    ) -> SendResult:
        """Make the call of one delivery row; ``gone`` asks the list who left it since the
        snapshot (default: :func:`~digest.store.subscribers.not_to_mail` on the ledger's engine)."""
        raise NotImplementedError

    def prepare(
        self, ledger: Ledger, row: DeliveryRow, letters: Letters, gone: Gone | None = None
    ) -> Callable[[], SendResult]:
        """:meth:`send` in two steps: what can be done before the call (it may run while the
        provider awaits the thread's previous answer), then the call."""
        return partial(self.send, ledger, row, letters, gone)

    def send_test(self, letters: Letters, address: str, idem_key: str) -> SendResult:
        """One test copy to ``address``; no delivery row."""
        raise NotImplementedError


class MessageMode(Mode):
    owns_list = True

    @property
    def unit(self) -> str:
        return "message" if self.provider.batch_size == 1 else "batch"

    def targets(self, conn: Connection, largest: int = 0) -> Iterator[Target]:
        """One target per call: per recipient (batch size 1) or per batch of one language."""
        size = max(min(self.provider.batch_size, largest or self.provider.batch_size), 1)
        number = 0
        batch: list[Recipient] = []

        def emit() -> Target:
            nonlocal number
            number += 1
            target = f"to:{batch[0].email}" if size == 1 else f"batch:{number:06d}"
            return target, [[r.email, r.name, r.language] for r in batch]

        for recipient in iter_active(conn):
            if batch and (len(batch) == size or recipient.language != batch[0].language):
                yield emit()
                batch = []
            batch.append(recipient)
        if not batch and number == 0 and self.provider.rehearsal:
            batch = [self._self_copy()]  # a rehearsal with an empty list: one copy to look at
        if batch:
            yield emit()

    def _self_copy(self) -> Recipient:
        """With an empty list, a rehearsal writes one copy to DIGEST_FROM so a first run shows something."""
        name, address = parseaddr(self.provider.shared.sender)
        return Recipient(email=address, name=name)

    def can_settle(self) -> bool:
        # Only a repeat the provider recognises is safe; otherwise an unknown stays for staff.
        return self.provider.idempotent

    def settle(self, ledger: Ledger, key: str, channel: str, asking: Asking | None = None) -> None:
        if self.provider.idempotent:
            # Resending with the same key is harmless here, so nothing stays unknown.
            unknown = ledger.deliveries(key, channel, statuses=("unknown",))
            ledger.requeue([d.id for d in unknown], "resent with the same idempotency key")
        elif asking is not None:
            settle_from_records(ledger, self.provider, key, asking)

    def send(
        self, ledger: Ledger, row: DeliveryRow, letters: Letters, gone: Gone | None = None
    ) -> SendResult:
        return self.prepare(ledger, row, letters, gone)()

    def prepare(
        self, ledger: Ledger, row: DeliveryRow, letters: Letters, gone: Gone | None = None
    ) -> Callable[[], SendResult]:
        # The list is asked and the messages built (the provider's part too); the call is left to the caller.
        own = self._self_copy().email.lower() if self.provider.rehearsal else ""
        due = still_due(ledger, row, letters.links.key, spare=own, gone=gone)
        if not due:
            return partial(SendResult, skipped=True)
        return self.provider.prepare_batch(letters.batch(due), row.idem_key)

    def send_test(self, letters: Letters, address: str, idem_key: str) -> SendResult:
        return self.provider.send_batch([letters.outgoing(Recipient(email=address))], idem_key)


class CampaignMode(Mode):
    owns_list = False
    provider: CampaignProvider

    @property
    def unit(self) -> str:
        return "campaign"

    def targets(self, conn: Connection, largest: int = 0) -> Iterator[Target]:
        yield CAMPAIGN, None

    def can_settle(self) -> bool:
        return True  # the provider's status of the campaign says whether it went

    def settle(self, ledger: Ledger, key: str, channel: str, asking: Asking | None = None) -> None:
        reconcile(ledger, self.provider, key, channel)

    def send(
        self, ledger: Ledger, row: DeliveryRow, letters: Letters, gone: Gone | None = None
    ) -> SendResult:
        return send_campaign_row(ledger, self.provider, row, letters.campaign())

    def send_test(self, letters: Letters, address: str, idem_key: str) -> SendResult:
        return self.provider.send_test(letters.campaign(), address, idem_key)


def still_due(
    ledger: Ledger, row: DeliveryRow, key: bytes, spare: str = "", gone: Gone | None = None
) -> list[list[str]]:
    """The recipients of ``row`` who may still be mailed, asked of the list just before its call
    (one query): whoever unsubscribed, bounced, complained, was blocked, removed or forgotten since
    the snapshot is recorded as skipped, with why, before anything goes out. ``spare``: an address
    that is on no list by design (a rehearsal's copy to DIGEST_FROM)."""
    rows = [r[:3] for r in row.data() if len(r) == 3]  # a fourth element: skipped by an earlier try
    ask = gone or (lambda addresses: not_to_mail(ledger.engine, addresses, key))
    left = ask([str(r[0]) for r in rows if str(r[0]).lower() != spare])
    if left:
        ledger.skip_recipients(row.id, left)
    return [r for r in rows if str(r[0]).lower() not in left]


MODES: dict[str, type[Mode]] = {"message": MessageMode, "campaign": CampaignMode}


def keeps_list(provider: Provider | type[Provider]) -> bool:
    """Whether we keep the list for ``provider`` (one message per call), without building a mode."""
    return MODES[provider.kind].owns_list


def mode_for(provider: Provider) -> Mode:
    """The mode of ``provider``'s kind (``campaign`` for subclasses of CampaignProvider)."""
    return MODES[provider.kind](provider)


def can_settle(engine: Engine, provider: Provider, key: str, asking: Asking | None = None) -> bool:
    """Whether this run can settle ``key``'s unknown deliveries safely.

    True when some are unknown and the mode can settle them: a campaign's status can
    be read (:func:`~digest.deliver.campaign.reconcile`), or the provider honours our
    idempotency key, so repeating the call cannot send twice, or (given ``asking``) the
    provider's records may be asked about one of them now (:mod:`digest.deliver.records`).
    Anything else stays for staff (`digest deliveries resolve`). `digest send` and the
    scheduler both decide with this.
    """
    ledger = Ledger(engine)
    if not ledger.counts(key, provider.channel()).get("unknown", 0):
        return False
    if mode_for(provider).can_settle():
        return True
    return asking is not None and settleable(ledger, provider, key, asking)


def for_a_person(engine: Engine, provider: Provider, key: str, asking: Asking) -> list[DeliveryRow]:
    """The unknown deliveries of ``key`` that nothing will settle, left for a person: none when the
    mode settles them by itself (a campaign's status, an idempotency key), else those the
    provider's records cannot settle (:func:`digest.deliver.records.beyond_records`)."""
    if mode_for(provider).can_settle():
        return []
    return beyond_records(Ledger(engine), provider, key, asking)
