"""The mailing-provider contract.

A provider gets the settings and frozen, fully built messages; it knows nothing
of the CLI, `.env` or the ledger. Two kinds:

- ``message`` providers (we own the list): :meth:`Provider.send_batch` gets up to
  ``batch_size`` messages, one per recipient, and makes one irreversible call.
- ``campaign`` providers (the provider owns the list and the fan-out):
  :meth:`Provider.send_campaign` posts one body to the whole list.

Either returns a :class:`SendResult` or raises :class:`~digest.errors.ProviderError`
with ``retryable`` (safe to try again later: 429, 5xx, connection refused) or
``outcome_unknown`` (the request may have been delivered: never blindly resent).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import ClassVar

from digest.config import Settings
from digest.types import Recipient


@dataclass(frozen=True)
class Outgoing:
    """One message for one recipient, exactly as it will be sent."""

    edition_key: str
    recipient: Recipient
    message: EmailMessage


@dataclass(frozen=True)
class Campaign:
    """One edition for a provider that owns the list."""

    edition_key: str
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""
    # Per-recipient failures inside an accepted batch (address -> reason).
    rejected: tuple[tuple[str, str], ...] = ()


class Provider:
    """Base class. Subclasses set ``name``, ``kind`` and ``batch_size`` and implement one send method."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "message"
    batch_size: ClassVar[int] = 1
    # Whether a retry with the same idempotency key is safe after an unknown outcome.
    idempotent: ClassVar[bool] = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        """Send one batch (at most ``batch_size`` messages) in one call.

        Must be implemented by message providers. Raises ProviderError.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement send_batch")

    def send_campaign(self, campaign: Campaign, idem_key: str) -> SendResult:
        """Send the edition to the provider's list. Must be implemented by campaign providers."""
        raise NotImplementedError(f"{type(self).__name__} must implement send_campaign")

    def close(self) -> None:
        """Release connections. Safe to call twice."""
