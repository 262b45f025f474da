"""The confirmation email of a sign-up, and its signed, expiring link."""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from typing import TYPE_CHECKING

from digest.errors import DigestError

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.providers import Provider

CONFIRM_SALT = "digest-confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a week to press the link; then sign up again


def confirm_token(key: bytes, address: str) -> str:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(key, salt=CONFIRM_SALT).dumps(address)


def read_confirm_token(key: bytes, token: str, max_age: int = CONFIRM_MAX_AGE) -> str | None:
    """The address of a confirmation link; None when forged, cut short, expired or under another key."""
    from itsdangerous import BadData, URLSafeTimedSerializer

    try:
        value = URLSafeTimedSerializer(key, salt=CONFIRM_SALT).loads(token, max_age=max_age)
    except BadData:
        return None
    return value if isinstance(value, str) and "@" in value else None


def can_sign_up(settings: Settings) -> bool:
    """Sign-up is ours only when we keep the list (campaign providers keep theirs)."""
    from digest.providers import providers

    provider = providers().get(settings.provider)
    return provider is not None and provider.kind == "message"


def _provider(settings: Settings) -> Provider:
    from digest.providers import make_provider

    provider = make_provider(settings)
    if provider.kind != "message":
        provider.close()
        raise DigestError(f"{settings.provider} keeps its own list; use its sign-up form")
    return provider


def send_confirmation(
    settings: Settings, address: str, subject: str, lines: list[str], link: str, now: datetime
) -> None:
    """One email with the confirmation link, through DIGEST_PROVIDER. Raises DigestError/OSError."""
    from digest.providers.base import Content, Outgoing
    from digest.types import Recipient

    text = "\n\n".join([*lines, link]) + "\n"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    button = f'<p><a href="{html.escape(link)}">{html.escape(link)}</a></p>'
    key = "confirm:" + hashlib.sha256(address.encode()).hexdigest()[:16]
    content = Content(
        edition_key=key,
        subject=subject,
        html=f"<!doctype html><html><body>{paragraphs}{button}</body></html>",
        text=text,
        sender=settings.sender,
        date=now,
    )
    provider = _provider(settings)
    try:
        token = hashlib.sha256(f"{key}|{now.isoformat()}".encode()).hexdigest()[:40]
        provider.send_batch([Outgoing(key, Recipient(email=address), content)], token)
    finally:
        provider.close()
