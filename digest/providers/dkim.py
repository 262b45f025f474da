"""DKIM signatures made by digest itself (provider smtp), covering both List-Unsubscribe headers.

Mailbox providers offer one-click unsubscribe only when a DKIM signature covers
``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058 section 3.1), and
common relay set-ups do not sign the second one. With DIGEST_DKIM_DOMAIN,
_SELECTOR and _KEY_FILE set, every message is signed before it leaves.
"""

from __future__ import annotations

from typing import Any

from digest.errors import ConfigError

# Signed when present; a listed header that is absent is signed as absent, so nobody can add it later.
SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"Reply-To",
    b"MIME-Version",
    b"Content-Type",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
)


class DkimSigner:
    def __init__(self, domain: str, selector: str, key: bytes) -> None:
        self.domain = domain.encode()
        self.selector = selector.encode()
        self.key = key

    @classmethod
    def from_settings(cls, settings: Any) -> DkimSigner | None:
        """A signer when the three DKIM keys are set; None when none is (the relay may sign)."""
        path = getattr(settings, "dkim_key_file", None)
        if not getattr(settings, "dkim_domain", "") or path is None:
            return None
        try:
            key = path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                "DIGEST_DKIM_KEY_FILE", f"cannot read {path} ({exc.strerror})", "fix the path"
            ) from None
        if b"PRIVATE KEY" not in key:
            raise ConfigError(
                "DIGEST_DKIM_KEY_FILE", f"{path} is not a PEM private key", "give the RSA key file"
            )
        return cls(settings.dkim_domain, settings.dkim_selector, key)

    def sign(self, message: bytes) -> bytes:
        """``message`` with a DKIM-Signature header in front (relaxed/relaxed, rsa-sha256)."""
        import dkim

        signature = dkim.sign(
            message,
            self.selector,
            self.domain,
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(SIGNED_HEADERS),
            linesep=b"\r\n",
        )
        return bytes(signature) + message
