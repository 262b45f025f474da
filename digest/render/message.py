"""Build the MIME message a subscriber receives: multipart/alternative, text then HTML.

Clients show the last alternative they can display, so the HTML goes last. Both
parts are UTF-8. The Message-ID depends only on the edition and the recipient's
address, so a resend of the same mail is recognisable as the same mail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache

from digest.links import campaign_slug


@dataclass(frozen=True)
class Envelope:
    """Headers of one message. ``unsubscribe_https`` (when it is https) enables RFC 8058 one-click."""

    sender: str
    to: str
    edition_key: str
    date: datetime
    reply_to: str = ""
    list_id: str = ""
    unsubscribe_https: str = ""
    unsubscribe_mailto: str = ""
    language: str = ""


def message_id(edition_key: str, recipient: str, sender: str) -> str:
    """Deterministic per edition and recipient address (the display name does not count)."""
    # A bare address needs no parsing (the SMTP sender asks this for every message).
    plain = "<" not in recipient and '"' not in recipient and recipient.count("@") == 1
    address = recipient if plain else (parseaddr(recipient)[1] or recipient)
    token = hashlib.sha256(f"{edition_key}|{address.strip().lower()}".encode()).hexdigest()[:24]
    return f"<{_slug(edition_key)}.{token}@{_domain(sender)}>"


@lru_cache(maxsize=16)
def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "digest.invalid"


@lru_cache(maxsize=16)
def _slug(edition_key: str) -> str:
    return campaign_slug(edition_key)


def one_click(url: str) -> bool:
    """RFC 8058: List-Unsubscribe-Post goes only beside an https link (never plain http or mailto)."""
    return url[:8].lower() == "https://"


def one_line(value: str) -> str:
    """Header text on one line: a stray newline in a setting must not start a new header."""
    return " ".join(value.split())


def build_message(subject: str, html: str, text: str, env: Envelope) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = one_line(subject)
    msg["From"] = one_line(env.sender)
    msg["To"] = one_line(env.to)
    if env.reply_to:
        msg["Reply-To"] = one_line(env.reply_to)
    date = env.date if env.date.tzinfo else env.date.replace(tzinfo=UTC)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id(env.edition_key, env.to, env.sender)
    if env.list_id:
        list_id = one_line(env.list_id)
        msg["List-Id"] = list_id if list_id.endswith(">") else f"<{list_id}>"
    targets = [f"<{one_line(u)}>" for u in (env.unsubscribe_https, env.unsubscribe_mailto) if u]
    if targets:
        msg["List-Unsubscribe"] = ", ".join(targets)
    if one_click(env.unsubscribe_https):
        # RFC 8058: the https target accepts a POST with this body, so a mailbox can unsubscribe in one click.
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    if env.language:
        # after set_content, which drops every Content-* header set before it
        msg["Content-Language"] = env.language
    return msg
