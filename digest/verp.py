"""VERP: each message's envelope sender names its call, so a late bounce finds its way home.

With ``DIGEST_BOUNCE_ADDRESS=bounces@example.org`` every message of our own SMTP server goes
out with the envelope sender (``MAIL FROM``, the ``Return-Path`` the receiver sees)
``bounces+<token>@example.org``: a bounce that comes days later is addressed there, whatever
the receiving server did with the address it bounced. The token is opaque:

    <tag: the first 16 hex of the call's idempotency key><10 hex of an HMAC of the tag>

The tag names the ledger's call (the same tag the provider webhooks match on, see
:mod:`digest.store.event_match`); the HMAC under the secret key means a forged bounce cannot
name a call of ours, so nobody can suppress an address by mailing our bounce mailbox. No
address can be read from it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

TAG = 16
MAC = 10
TOKEN = re.compile(rf"(?<![0-9a-f])([0-9a-f]{{{TAG}}})([0-9a-f]{{{MAC}}})(?=@)", re.I)
HEX = frozenset("0123456789abcdef")


def parse_bounce_address(raw: str) -> str:
    """``bounces@example.org`` (the token goes after a ``+``) or a form with ``{token}`` where it
    goes (``bounces-{token}@example.org`` for qmail-style servers). Raises ValueError."""
    value = raw.strip()
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() or c in "<>,;\"" for c in value):
        raise ValueError(f"{raw!r} is not an address; use e.g. bounces@example.org")
    if "{token}" in value and (value.count("{token}") > 1 or "{token}@" not in value):
        raise ValueError(f"{raw!r}: put {{token}} once, right before the @ (bounces-{{token}}@example.org)")
    if not value.isascii():
        raise ValueError(f"{raw!r}: an envelope address must be ASCII")
    return value


def _mac(key: bytes, tag: str) -> str:
    return hmac.new(key, b"verp|" + tag.encode(), hashlib.sha256).hexdigest()[:MAC]


def envelope_sender(address: str, key: bytes, idem_key: str) -> str:
    """The envelope sender of the call with ``idem_key``: ``address`` with its token; the plain
    address for a call without a ledger tag (a test copy)."""
    tag = idem_key[:TAG].lower()
    if len(tag) != TAG or not HEX.issuperset(tag):
        return address.replace("+{token}", "").replace("{token}", "bounce")
    token = tag + _mac(key, tag)
    if "{token}" in address:
        return address.replace("{token}", token)
    local, _, domain = address.rpartition("@")
    return f"{local}+{token}@{domain}"


def tags_in(text: str, key: bytes) -> list[str]:
    """The tags of the genuine tokens in ``text`` (headers of a bounce), each once, in order."""
    found: list[str] = []
    for tag, mac in TOKEN.findall(text):
        tag = tag.lower()
        if hmac.compare_digest(mac.lower(), _mac(key, tag)) and tag not in found:
            found.append(tag)
    return found
