"""What each recipient gets, from the frozen edition: content by language, signed unsubscribe links."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from urllib.parse import quote

from digest.config import Settings
from digest.csvimport import clean_name
from digest.providers.base import Campaign, Content, Outgoing
from digest.store.ledger import EditionRow
from digest.types import Recipient
from digest.unsubscribe import PREFERENCES, UNSUBSCRIBE, day_of, link_url, make_token, secret_key


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
    """How each recipient's own links are made: the one-click unsubscribe address template
    (DIGEST_UNSUBSCRIBE_URL or the page of `digest serve`), the preferences page of `digest serve`
    (none without DIGEST_PUBLIC_URL), the signing key, the mailto address. The tokens carry the
    recipient's opaque id (:mod:`digest.unsubscribe`), never the address."""

    template: str
    preferences: str
    key: bytes
    sender_address: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Links:
        return cls(
            settings.unsubscribe_template,
            settings.preferences_template,
            secret_key(settings),
            parseaddr(settings.sender)[1],
        )

    @property
    def signed(self) -> bool:
        """Whether any link carries a token (then each recipient needs an id)."""
        return bool(self.template or self.preferences)

    def of(self, recipient: Recipient, ref: str, made: date) -> tuple[str, str, str]:
        """(https one-click URL or "", mailto URL, preferences URL or "") for a recipient whose id
        is ``ref``; the links work for their lifetime from ``made``."""
        if not ref:
            return "", f"mailto:{self.sender_address}?subject=unsubscribe", ""
        # The mailto's subject carries the same token as the one-click link, never the address (a
        # forwarded email reveals nobody); staff give it to `digest subscribers unsubscribe`.
        token = make_token(self.key, UNSUBSCRIBE, ref, made)
        mailto = f"mailto:{self.sender_address}?subject=unsubscribe%20{_quoted(token)}"
        https = link_url(self.template, token)
        return https, mailto, self._link(self.preferences, PREFERENCES, ref, made)

    def _link(self, template: str, purpose: str, ref: str, made: date) -> str:
        # A token is an HMAC: none is made for a link the message does not carry (no preferences page).
        return link_url(template, make_token(self.key, purpose, ref, made)) if template else ""


# What urllib's quote() makes of each ASCII character it does not keep (it keeps letters, digits,
# "_.-~" and "/"): a token is quoted per message, and quote()'s own walk cost a quarter of the links.
_QUOTED = {c: f"%{c:02X}" for c in range(128) if not (chr(c).isalnum() or chr(c) in "_.-~/")}


def _quoted(text: str) -> str:
    """``quote(text)``, for ASCII text without quote()'s per-character work."""
    return text.translate(_QUOTED) if text.isascii() else quote(text)


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


Refs = Callable[[Iterable[str]], dict[str, str]]


class Letters:
    """Builds :class:`Outgoing` messages of one edition; the frozen bodies are read once.

    ``bodies`` holds the email in further languages (language -> subject, html,
    text); a recipient whose language has none gets the edition's own body. ``refs`` gives
    the recipients' opaque ids for their links (:func:`digest.store.link_refs.refs_for`),
    one call per batch; the links live from the day the edition was made.
    """

    def __init__(
        self,
        heading: Heading,
        links: Links,
        edition: EditionRow,
        refs: Refs,
        bodies: dict[str, tuple[str, str, str]] | None = None,
        subject_prefix: str = "",
    ) -> None:
        self.links, self.refs, self.made = links, refs, day_of(edition.created_at)
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
        refs: Refs,
        bodies: dict[str, tuple[str, str, str]] | None = None,
        subject_prefix: str = "",
    ) -> Letters:
        heading, links = Heading.from_settings(settings), Links.from_settings(settings)
        return cls(heading, links, edition, refs, bodies, subject_prefix)

    def content_for(self, language: str) -> Content:
        return self.contents.get(language) or self.contents[""]

    def outgoing(self, recipient: Recipient) -> Outgoing:
        return self.batch([(recipient.email, recipient.name, recipient.language)])[0]

    def batch(self, rows: Sequence[Sequence[str]]) -> list[Outgoing]:
        """Outgoing messages for a delivery's payload: [[email, name, language], ...].

        The name is made one line again here: a row imported before names were cleaned could
        hold a line break, which no To header may carry.
        """
        people = [Recipient(email, clean_name(name), language) for email, name, language in rows]
        refs = self.refs(p.email for p in people) if self.links.signed else {}
        return [self._outgoing(p, refs.get(p.email.strip().lower(), "")) for p in people]

    def _outgoing(self, recipient: Recipient, ref: str) -> Outgoing:
        https, mailto, manage = self.links.of(recipient, ref, self.made)
        return Outgoing(
            edition_key=self.contents[""].edition_key,
            recipient=recipient,
            content=self.content_for(recipient.language),
            unsubscribe_https=https,
            unsubscribe_mailto=mailto,
            manage_link=manage,
        )

    def campaign(self) -> Campaign:
        c = self.contents[""]
        return Campaign(c.edition_key, c.subject, c.html, c.text)
