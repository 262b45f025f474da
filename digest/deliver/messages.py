"""Per-recipient messages from the frozen edition."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import quote

from digest.config import Settings
from digest.render.email import personalise
from digest.render.message import Envelope, build_message
from digest.store.ledger import EditionRow
from digest.types import Recipient


def unsubscribe_links(settings: Settings, recipient: Recipient) -> tuple[str, str]:
    """(https one-click URL, mailto URL) for a recipient."""
    address = parseaddr(settings.sender)[1]
    mailto = f"mailto:{address}?subject={quote('unsubscribe ' + recipient.email)}"
    return "", mailto


def message_for(settings: Settings, edition: EditionRow, recipient: Recipient) -> EmailMessage:
    https, mailto = unsubscribe_links(settings, recipient)
    link = https or mailto
    html = personalise(edition.html, unsubscribe_url=link, manage_url=link, is_html=True)
    text = personalise(edition.text, unsubscribe_url=link, manage_url=link, is_html=False)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2]
    envelope = Envelope(
        sender=settings.sender,
        to=_address(recipient),
        edition_key=edition.key,
        date=edition.created_at,
        list_id=f"<digest.{domain}>",
        unsubscribe_https=https,
        unsubscribe_mailto=mailto,
    )
    return build_message(edition.subject, html, text, envelope)


def _address(recipient: Recipient) -> str:
    from email.headerregistry import Address

    local, _, domain = recipient.email.partition("@")
    return str(Address(display_name=recipient.name, username=local, domain=domain))
