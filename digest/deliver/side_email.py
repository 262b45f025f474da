"""Side emails: one message to one address outside any edition (a sign-up confirmation, an alert;
later receipts and approvals), all sent through :func:`send_side_email`.

It renders the templates of the kind (:mod:`digest.render.side_email`), picks the provider that
can send one message (:func:`single_sender`), and records the message in the ledger before the
call and its outcome after it (:mod:`digest.store.side_mails`), under the idempotency key the
provider gets: a message already sent, or maybe sent, is not sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.config import Settings
from digest.deliver.modes import keeps_list
from digest.errors import DigestError, ProviderError
from digest.providers import Provider, SendResult, make_provider, providers
from digest.providers.base import Content, Outgoing
from digest.render.side_email import Letterhead, render_side_email
from digest.store import Engine
from digest.store.ledger import Ledger
from digest.types import Recipient


@dataclass(frozen=True)
class SideEmail:
    """What to send: the kind names the templates (``templates/email/<kind>.*.j2``)."""

    kind: str
    to: Recipient
    language: str
    context: dict[str, Any]
    key: str  # names the message: its Message-ID and (outbox) its folder
    idem_key: str  # the ledger's and the provider's idempotency key; one message per key


def single_sender(settings: Settings) -> Provider:
    """The provider that can send one message to one address.

    DIGEST_PROVIDER when it sends message by message; a campaign provider would send to its
    whole list, so then the provider that stands in for side emails (``Provider.stands_in``).
    """
    provider = make_provider(settings)
    if keeps_list(provider):
        return provider
    provider.close()
    stand_in = next((cls for cls in providers().values() if cls.stands_in), None)
    if stand_in is None:
        raise DigestError(f"{settings.provider} sends to a whole list and no provider can send one message")
    return stand_in.from_settings(settings)


def send_side_email(settings: Settings, engine: Engine, mail: SideEmail, now: datetime) -> SendResult | None:
    """Render, record, send and settle one side email; None when its key went out before.

    Raises RenderError, ProviderError or OSError (the ledger then says failed, or unknown when
    the message may have gone out).
    """
    head = Letterhead(settings.org_name, settings.postal_address, settings.templates_dir)
    rendered = render_side_email(mail.kind, mail.language, mail.context, head)
    content = Content(
        edition_key=mail.key,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        sender=settings.sender,
        date=now,
        language=rendered.language,
    )
    provider = single_sender(settings)
    ledger = Ledger(engine)
    try:
        recorded = ledger.begin_side_mail(
            mail.idem_key, mail.kind, mail.to.email, content.subject, provider.name, now
        )
        if not recorded:
            return None
        return _send(provider, ledger, Outgoing(mail.key, mail.to, content), mail.idem_key, now)
    finally:
        provider.close()


def _send(provider: Provider, ledger: Ledger, outgoing: Outgoing, idem_key: str, now: datetime) -> SendResult:
    try:
        result = provider.send_batch([outgoing], idem_key)
        if result.rejected:
            raise ProviderError(provider.name, f"refused the message: {result.rejected[0][1]}")
    except Exception as exc:
        doubt = isinstance(exc, ProviderError) and exc.outcome_unknown
        ledger.finish_side_mail(idem_key, "unknown" if doubt else "failed", now, error=str(exc))
        raise
    ledger.finish_side_mail(idem_key, "sent", now, provider_id=result.provider_id)
    return result
