"""What each recipient gets, from the frozen edition: content by language, signed unsubscribe links."""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import parseaddr
from urllib.parse import quote

from digest.config import Settings
from digest.csvimport import clean_name
from digest.providers.base import Campaign, Content, Outgoing
from digest.store.ledger import EditionRow
from digest.types import Recipient
from digest.unsubscribe import secret_key, unsubscribe_url


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
        address = parseaddr(settings.sender)[1]
        self.sender_address = address
        domain = address.rpartition("@")[2]
        self.list_id = f"<digest.{domain}>"
        self.contents: dict[str, Content] = {"": self._content(edition, edition.subject, edition.html,
                                                                edition.text, subject_prefix)}
        for lang, (subject, html, text) in (bodies or {}).items():
            self.contents[lang] = self._content(edition, subject, html, text, subject_prefix, lang)

    def _content(
        self, edition: EditionRow, subject: str, html: str, text: str, prefix: str, lang: str = ""
    ) -> Content:
        return Content(
            edition_key=edition.key,
            subject=prefix + subject,
            html=html,
            text=text,
            sender=self.settings.sender,
            date=edition.created_at,
            list_id=self.list_id,
            language=lang or self.settings.language,
            reply_to=getattr(self.settings, "reply_to", "") or "",
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
