"""What each recipient gets, from the frozen edition: content by language, signed unsubscribe links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import quote

from digest.config import Settings
from digest.csvimport import clean_name
from digest.providers.base import Campaign, Content, Outgoing
from digest.store.ledger import EditionRow
from digest.types import Recipient
from digest.unsubscribe import secret_key, unsubscribe_url


def content_of(
    settings: Settings,
    key: str,
    subject: str,
    html: str,
    text: str,
    date: datetime,
    language: str = "",
    *,
    prefix: str = "",
) -> Content:
    """The shared part of every message of an edition in one language (headers and bodies)."""
    domain = parseaddr(settings.sender)[1].rpartition("@")[2]
    return Content(
        edition_key=key,
        subject=prefix + subject,
        html=html,
        text=text,
        sender=settings.sender,
        date=date,
        list_id=f"<digest.{domain}>",
        language=language or settings.language,
        reply_to=getattr(settings, "reply_to", "") or "",
    )


class Letters:
    """Builds :class:`Outgoing` messages of one edition; the frozen bodies are read once.

    ``bodies`` holds the email in further languages (language -> subject, html,
    text); a recipient whose language has none gets the edition's own body.
    """

    def __init__(
        self,
        settings: Settings,
        edition: EditionRow,
        bodies: dict[str, tuple[str, str, str]] | None = None,
        subject_prefix: str = "",
    ) -> None:
        self.settings = settings
        self.key = secret_key(settings)
        self.sender_address = parseaddr(settings.sender)[1]
        e = edition
        self.contents: dict[str, Content] = {
            "": content_of(settings, e.key, e.subject, e.html, e.text, e.created_at, prefix=subject_prefix)
        }
        for lang, (subject, html, text) in (bodies or {}).items():
            self.contents[lang] = content_of(
                settings, e.key, subject, html, text, e.created_at, lang, prefix=subject_prefix
            )

    def content_for(self, language: str) -> Content:
        return self.contents.get(language) or self.contents[""]

    def links(self, recipient: Recipient) -> tuple[str, str]:
        """(https one-click URL or "", mailto URL) for a recipient."""
        mailto = f"mailto:{self.sender_address}?subject={quote('unsubscribe ' + recipient.email)}"
        https = unsubscribe_url(self.settings.unsubscribe_template, self.key, recipient.email)
        return https, mailto

    def outgoing(self, recipient: Recipient) -> Outgoing:
        https, mailto = self.links(recipient)
        return Outgoing(
            edition_key=self.contents[""].edition_key,
            recipient=recipient,
            content=self.content_for(recipient.language),
            unsubscribe_https=https,
            unsubscribe_mailto=mailto,
        )

    def batch(self, rows: Sequence[Sequence[str]]) -> list[Outgoing]:
        """Outgoing messages for a delivery's payload: [[email, name, language], ...].

        The name is made one line again here: a row imported before names were cleaned could
        hold a line break, which no To header may carry.
        """
        return [self.outgoing(Recipient(email, clean_name(name), language)) for email, name, language in rows]

    def campaign(self) -> Campaign:
        c = self.contents[""]
        return Campaign(c.edition_key, c.subject, c.html, c.text)
