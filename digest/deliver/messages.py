"""What each recipient gets, from the frozen edition: content by language, signed unsubscribe links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import quote

from digest.config import Settings
from digest.csvimport import clean_name
from digest.providers.base import Campaign, Content, Outgoing
from digest.store.ledger import EditionRow
from digest.types import Recipient
from digest.unsubscribe import secret_key, unsubscribe_url


@dataclass(frozen=True)
class Heading:
    """What every message of an edition takes from the settings: From, Reply-To, the language."""

    sender: str
    reply_to: str
    language: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Heading:
        return cls(settings.sender, getattr(settings, "reply_to", "") or "", settings.language)


@dataclass(frozen=True)
class Links:
    """How each recipient's unsubscribe links are made: the one-click address template
    (DIGEST_UNSUBSCRIBE_URL or the page of `digest serve`), the signing key, the mailto address."""

    template: str
    key: bytes
    sender_address: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Links:
        return cls(settings.unsubscribe_template, secret_key(settings), parseaddr(settings.sender)[1])

    def of(self, recipient: Recipient) -> tuple[str, str]:
        """(https one-click URL or "", mailto URL) for a recipient."""
        mailto = f"mailto:{self.sender_address}?subject={quote('unsubscribe ' + recipient.email)}"
        return unsubscribe_url(self.template, self.key, recipient.email), mailto


def content_of(
    heading: Heading,
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
    domain = parseaddr(heading.sender)[1].rpartition("@")[2]
    return Content(
        edition_key=key,
        subject=prefix + subject,
        html=html,
        text=text,
        sender=heading.sender,
        date=date,
        list_id=f"<digest.{domain}>",
        language=language or heading.language,
        reply_to=heading.reply_to,
    )


class Letters:
    """Builds :class:`Outgoing` messages of one edition; the frozen bodies are read once.

    ``bodies`` holds the email in further languages (language -> subject, html,
    text); a recipient whose language has none gets the edition's own body.
    """

    def __init__(
        self,
        heading: Heading,
        links: Links,
        edition: EditionRow,
        bodies: dict[str, tuple[str, str, str]] | None = None,
        subject_prefix: str = "",
    ) -> None:
        self.links = links
        e = edition
        self.contents: dict[str, Content] = {
            "": content_of(heading, e.key, e.subject, e.html, e.text, e.created_at, prefix=subject_prefix)
        }
        for lang, (subject, html, text) in (bodies or {}).items():
            self.contents[lang] = content_of(
                heading, e.key, subject, html, text, e.created_at, lang, prefix=subject_prefix
            )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        edition: EditionRow,
        bodies: dict[str, tuple[str, str, str]] | None = None,
        subject_prefix: str = "",
    ) -> Letters:
        heading, links = Heading.from_settings(settings), Links.from_settings(settings)
        return cls(heading, links, edition, bodies, subject_prefix)

    def content_for(self, language: str) -> Content:
        return self.contents.get(language) or self.contents[""]

    def outgoing(self, recipient: Recipient) -> Outgoing:
        https, mailto = self.links.of(recipient)
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
