"""Signed links for one address: unsubscribe, preferences and sign-up confirmation.

A link's token is ``t`` and 40 characters of base64url, 30 bytes: the address's opaque id
(12 random bytes, :mod:`digest.store.link_refs`), the last day the link works (2 bytes, days
since 1970 in UTC) and an HMAC-SHA256 (16 bytes) under DIGEST_SECRET_KEY over the link's
purpose, the id and the day. The leading letter names the format, and keeps a token that
would start with ``-`` from being read as an option by a command line. Nothing in it names
the address, so a forwarded link reveals nobody; a link made for one purpose opens no other
page; after ``subscribers forget`` the id is gone and the link leads nowhere. The website
behind DIGEST_UNSUBSCRIBE_URL hands an unsubscribe token to ``digest subscribers unsubscribe
TOKEN``, which checks it the same way.
Without DIGEST_SECRET_KEY a random key is generated once and kept (mode 600) in the data folder.

Links made before this format held the address in readable base64 (``<address>.<signature>``;
confirmations an itsdangerous token). They are still read for :data:`LEGACY_DAYS` after the
database started making opaque links (its migration 43), as long as a new link lives, so a
digest sent just before the upgrade keeps a working unsubscribe link; then they are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from digest.config import Settings
from digest.errors import ConfigError
from digest.files import private_dir

if TYPE_CHECKING:
    from digest.store import Engine

KEY_FILE = "secret.key"
SIG_BYTES = 16
REF_BYTES = 12
UNSUBSCRIBE, PREFERENCES, CONFIRM = "unsubscribe", "preferences", "confirm"
# How long a link works after the email that carries it was made.
LIFETIME = {UNSUBSCRIBE: timedelta(days=365), PREFERENCES: timedelta(days=365), CONFIRM: timedelta(days=7)}
LEGACY_DAYS = 365
EPOCH = date(1970, 1, 1)
FORMAT = "t"
_TOKEN = re.compile(FORMAT + r"[A-Za-z0-9_-]{40}")
MAX_TOKEN = 1000  # longer is no link of ours (an old link of a 320-character address is under 500)


def secret_key(settings: Settings) -> bytes:
    """DIGEST_SECRET_KEY, else the key kept in the data folder (created on first use)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        _create_key(path)
    value = path.read_text().strip()
    if len(value) < 32:
        raise ConfigError(
            "DIGEST_SECRET_KEY", f"the key kept in {path} is too short", "delete the file to make a new one"
        )
    return value.encode()


def _create_key(path: Path) -> None:
    """Write a new key so that no process ever reads a half-written one.

    The key is written and flushed to a private temporary file first, then linked to
    its name: the link either appears whole or fails because another process linked
    its key first (then theirs is used; a rename would replace it under them).
    """
    private_dir(path.parent)
    temp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another process created it first; read theirs
    finally:
        temp.unlink(missing_ok=True)


# -- the token ---------------------------------------------------------------------------
def _mac(key: bytes, purpose: str, body: bytes) -> bytes:
    message = b"digest-link\x00" + purpose.encode() + b"\x00" + body
    # An HMAC object, not OpenSSL's one-shot hmac.digest: that one gives up the interpreter lock
    # for its microsecond, and with other threads at work (the web server's, a paced send's) getting
    # it back cost about 60 µs, as measured with a sending thread per connection.
    return hmac.new(key, message, hashlib.sha256).digest()[:SIG_BYTES]


def make_token(key: bytes, purpose: str, ref: str, made: date) -> str:
    """The token of ``purpose`` for the address whose id is ``ref``, working until ``made`` + its lifetime."""
    last = (made + LIFETIME[purpose] - EPOCH).days
    body = base64.urlsafe_b64decode(ref) + last.to_bytes(2, "big")
    return FORMAT + base64.urlsafe_b64encode(body + _mac(key, purpose, body)).decode()


@dataclass(frozen=True)
class Opened:
    """A link whose signature holds: the id it names and its last day."""

    ref: str
    last_day: date


def read_token(key: bytes, purpose: str, token: str) -> Opened | None:
    """What a token of ``purpose`` names; None when it is malformed, forged, or of another purpose.

    The signature is compared on the decoded bytes, never as text (base64url can spell the
    same bytes several ways).
    """
    if not _TOKEN.fullmatch(token):
        return None
    raw = base64.urlsafe_b64decode(token[len(FORMAT) :])
    body, given = raw[: REF_BYTES + 2], raw[REF_BYTES + 2 :]
    if not hmac.compare_digest(given, _mac(key, purpose, body)):
        return None
    ref = base64.urlsafe_b64encode(body[:REF_BYTES]).decode()
    return Opened(ref, EPOCH + timedelta(days=int.from_bytes(body[REF_BYTES:], "big")))


# -- links of an address -----------------------------------------------------------------
def token_for(engine: Engine, key: bytes, purpose: str, address: str, made: date) -> str:
    """A token of ``purpose`` for ``address`` (its id is made now if it has none)."""
    from digest.store.link_refs import refs_for

    address = address.strip().lower()
    return make_token(key, purpose, refs_for(engine, [address])[address], made)


def probe_token(key: bytes, made: date) -> str:
    """A well-signed unsubscribe token naming an id no address has (made ids are random, never
    all zeros): a page asked with it answers "this link does not work" and nothing is stored."""
    return make_token(key, UNSUBSCRIBE, base64.urlsafe_b64encode(bytes(REF_BYTES)).decode(), made)


def link_url(template: str, token: str) -> str:
    """``template`` (a URL with ``{token}``) with the token; empty when there is no template."""
    return template.replace("{token}", quote(token, safe="")) if template else ""


@dataclass(frozen=True)
class Link:
    """What a link opened: ``address`` when it works; else ``expired`` says why it does not."""

    address: str | None
    expired: bool = False


def open_link(engine: Engine, key: bytes, purpose: str, token: str, today: date) -> Link:
    """The address behind a token of ``purpose``, checked against ``today`` (UTC).

    No address for a forged, cut-short or foreign token, for an expired one (``expired``),
    or for one whose address was forgotten; old links are read while :func:`legacy_open`.
    """
    from digest.store.link_refs import email_of

    opened = open_token(key, purpose, token, today)
    if opened is None:
        return _legacy(engine, key, purpose, token.strip(), today)
    if isinstance(opened, Link):
        return opened
    return Link(email_of(engine, opened.ref))


def open_token(key: bytes, purpose: str, token: str, today: date) -> Opened | Link | None:
    """What a token of ``purpose`` says without asking the database: the id it names while it
    works, a :class:`Link` without address when it is too long or expired, None when it is not
    a token of this format (perhaps an old link: :func:`open_link` reads those)."""
    token = token.strip()
    if len(token) > MAX_TOKEN:
        return Link(None)
    opened = read_token(key, purpose, token)
    if opened is None:
        return None
    return Link(None, expired=True) if opened.last_day < today else opened


def _legacy(engine: Engine, key: bytes, purpose: str, token: str, today: date) -> Link:
    """An old link that holds the address: read while :func:`legacy_open`, never once forgotten."""
    from digest.store.forgotten import is_forgotten

    if "." not in token:
        return Link(None)
    address = _legacy_confirm(key, token, today) if purpose == CONFIRM else _legacy_address(key, token)
    if address is None:
        return Link(None)
    if not legacy_open(engine, today):
        return Link(None, expired=True)
    return Link(None if is_forgotten(engine, key, address) else address)


def legacy_open(engine: Engine, today: date) -> bool:
    """Whether old links are still read: for LEGACY_DAYS after opaque links began here."""
    from digest.store.link_refs import link_refs_since

    since = link_refs_since(engine)
    return since is None or today <= since.date() + timedelta(days=LEGACY_DAYS)


def _legacy_address(key: bytes, token: str) -> str | None:
    body, _, sig = token.partition(".")
    try:
        address = _unb64(body).decode()
        given = _unb64(sig)
    except (ValueError, UnicodeDecodeError):
        return None
    signed = hmac.new(key, b"unsubscribe|" + address.encode(), hashlib.sha256).digest()[:SIG_BYTES]
    return address if "@" in address and hmac.compare_digest(given, signed) else None


def _legacy_confirm(key: bytes, token: str, today: date) -> str | None:
    from itsdangerous import BadData, URLSafeTimedSerializer

    try:
        value, signed_at = URLSafeTimedSerializer(key, salt="digest-confirm").loads(
            token, return_timestamp=True
        )
    except BadData:
        return None
    fresh = signed_at.date() + LIFETIME[CONFIRM] >= today
    return value if fresh and isinstance(value, str) and "@" in value else None


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def day_of(moment: datetime) -> date:
    """The day (UTC) a link's life is counted from or checked against."""
    from datetime import UTC

    return moment.astimezone(UTC).date()
