"""Build the MIME message a subscriber receives: multipart/alternative, text then HTML."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from digest.links import campaign_slug


@dataclass(frozen=True)
class Envelope:
    sender: str
    to: str
    edition_key: str
    date: datetime
    reply_to: str = ""
    list_id: str = ""
    unsubscribe_https: str = ""
    unsubscribe_mailto: str = ""


def message_id(edition_key: str, recipient: str, sender: str) -> str:
    """Deterministic per edition and recipient, so a resend is recognisable as the same mail."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "digest.invalid"
    token = hashlib.sha256(f"{edition_key}|{recipient.lower()}".encode()).hexdigest()[:24]
    return f"<{campaign_slug(edition_key)}.{token}@{domain}>"


def build_message(subject: str, html: str, text: str, env: Envelope) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = env.sender
    msg["To"] = env.to
    if env.reply_to:
        msg["Reply-To"] = env.reply_to
    msg["Date"] = format_datetime(env.date)
    msg["Message-ID"] = message_id(env.edition_key, env.to, env.sender)
    if env.list_id:
        msg["List-Id"] = env.list_id
    targets = [f"<{u}>" for u in (env.unsubscribe_https, env.unsubscribe_mailto) if u]
    if targets:
        msg["List-Unsubscribe"] = ", ".join(targets)
    if env.unsubscribe_https:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg
