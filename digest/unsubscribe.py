"""Signed one-click unsubscribe links.

A token is ``<address, base64url>.<HMAC-SHA256 of it under DIGEST_SECRET_KEY>``:
the website behind DIGEST_UNSUBSCRIBE_URL hands it to
``digest subscribers unsubscribe TOKEN``, which checks the signature, so nobody
can unsubscribe someone else by guessing. Without DIGEST_SECRET_KEY a random
key is generated once and kept (mode 600) in the data folder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from digest.config import Settings
from digest.errors import ConfigError
from digest.files import private_dir

KEY_FILE = "secret.key"
SIG_BYTES = 16


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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, address: str) -> bytes:
    return hmac.new(key, b"unsubscribe|" + address.encode(), hashlib.sha256).digest()[:SIG_BYTES]


def make_token(key: bytes, address: str) -> str:
    address = address.strip().lower()
    return f"{_b64(address.encode())}.{_b64(_signature(key, address))}"


def read_token(key: bytes, token: str) -> str | None:
    """The address a token was made for, or None when it is malformed or forged."""
    body, _, sig = token.strip().partition(".")
    try:
        address = _unb64(body).decode()
        given = _unb64(sig)
    except (ValueError, UnicodeDecodeError):
        return None
    if "@" not in address or not hmac.compare_digest(given, _signature(key, address)):
        return None
    return address


def unsubscribe_url(template: str, key: bytes, address: str) -> str:
    """DIGEST_UNSUBSCRIBE_URL with the recipient's token; empty when no template is set."""
    if not template:
        return ""
    return template.replace("{token}", quote(make_token(key, address), safe=""))
