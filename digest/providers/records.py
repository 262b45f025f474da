"""What a provider's own records say of the calls whose outcome is unknown.

A call that met a server error or a time-out after it left may or may not have reached the
provider. A provider that keeps records we can read (``Provider.keeps_records``) answers
:meth:`~digest.providers.base.Provider.received` with, for each call it can speak for, the
recipients its records show it got; :mod:`digest.deliver.records` decides what follows.

Records reach a provider's storage late and out of order: finding a recipient proves the
provider got the message at once, but not finding one proves nothing until the call is older
than the provider's ``settle_window`` (Mailgun asks for about half an hour).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# How far before the call a records query starts: clocks differ, and a call is recorded
# as unknown only once its answer failed, a little after it left.
LEAD = 300.0


@dataclass(frozen=True)
class InDoubt:
    """One call in doubt, as a provider's records are asked about it.

    ``marker``: what the call was tagged with (the start of its idempotency key: Mailgun's
    ``v:digest-batch``, Postmark's metadata, SendGrid's custom args); ``made_at``: when it was
    made (epoch seconds, the provider's clock); ``reported``: recipients the provider's
    webhook already told us about (a stored event names them, so the provider got them).
    """

    delivery_id: int
    edition_key: str
    marker: str
    recipients: tuple[str, ...]
    made_at: float
    reported: frozenset[str] = field(default_factory=frozenset)

    @property
    def since(self) -> float:
        """Where a records query starts (epoch seconds)."""
        return self.made_at - LEAD


# delivery id -> the recipients the records show the provider got. A call missing from the
# answer is one the records cannot speak for (their absence proves nothing).
Found = dict[int, frozenset[str]]


def edition_tag(edition_key: str) -> str:
    """The tag every message of an edition carries where a provider files messages by tag (Mailgun's
    ``o:tag``): ASCII, at most 128 characters, one per edition (about 52 a year)."""
    return ("digest-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", edition_key).strip("-"))[:128]


def only(found: set[str], call: InDoubt) -> frozenset[str]:
    """The recipients of ``call`` among the addresses ``found`` (compared lower-case)."""
    wanted = {r.lower() for r in call.recipients}
    return frozenset(a for a in (f.strip().lower() for f in found) if a in wanted)
