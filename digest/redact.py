"""Secrets out of every line we print, log or store.

Some platforms take their token in the URL (an ``access_token`` query value), HTTP
libraries put URLs into exception texts and debug logs, and a provider may echo
our key back in an error body. So text bound for a log line, an error message or
the ledger goes through :func:`redact`: the values of URL query strings, of
``Authorization``-like headers and ``key=value`` pairs, passwords in database
addresses, ``Bearer``/``Basic`` credentials, and any known secret value (as
written or percent-encoded) become ``[redacted]``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[redacted]"
_MIN_SECRET = 6  # shorter values would redact ordinary words
_QUERY = re.compile(r"([?&;][A-Za-z0-9_.\-\[\]%]+=)[^&#\s\"'<>;]+")
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^/\s@]+@", re.IGNORECASE)
_LABELLED = re.compile(
    r"(?i)((?:proxy-)?authorization|x-api-key|api[-_ ]?key|x-[a-z]+-server-token|[a-z_]*access[-_]?token"
    r"|refresh[-_]?token|client[-_]?secret|app[-_]?password|password|passwd|secret|token)"
    r"(\"?'?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token|oauth)\s+)?[^\s\"',;&}<>]+"
)
_SCHEME = re.compile(r"(?i)\b(bearer|basic|oauth)\s+[A-Za-z0-9._~+/=\-]{8,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret-looking value replaced by ``[redacted]``."""
    for secret in _forms(secrets):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    text = _QUERY.sub(rf"\1{MASK}", text)
    text = _LABELLED.sub(_labelled, text)
    return _SCHEME.sub(rf"\1 {MASK}", text)


def _labelled(match: re.Match[str]) -> str:
    """``label: value`` with the value masked, unless the label is the name of one of our settings
    (``DIGEST_SECRET_KEY: is required`` is our own message, not a credential)."""
    start = match.start()
    while start > 0 and (match.string[start - 1].isalnum() or match.string[start - 1] == "_"):
        start -= 1
    if match.string[start:].startswith("DIGEST_"):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MASK}"


def _forms(secrets: Iterable[str]) -> list[str]:
    """Each secret as written, percent-encoded both ways, and the longest first."""
    forms: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET:
            forms |= {secret, quote(secret, safe=""), quote_plus(secret)}
    return sorted(forms, key=len, reverse=True)


def secret_settings(settings: object) -> list[str]:
    """The values of every setting declared secret (API keys, tokens, passwords) that is set."""
    import dataclasses

    values = []
    for f in dataclasses.fields(settings):  # type: ignore[arg-type]
        value = getattr(settings, f.name, None)
        if f.metadata.get("secret") and isinstance(value, str) and value:
            values.append(value)
    return values


_CREDENTIAL_NAME = re.compile(r"token|password|secret|api[-_]?key|jwt|auth", re.IGNORECASE)


def credentials_in(headers: Mapping[str, Any], auth: Sequence[Any], *fields: Any) -> list[str]:
    """Credential values of one HTTP request: auth-like headers (without their ``Bearer``/``Basic``
    word), the Basic-auth password, and credential-named fields of its parameters or body."""
    found = [str(a) for a in auth[1:]]
    for name, value in headers.items():
        if isinstance(value, str) and _CREDENTIAL_NAME.search(name):
            found += [value, value.split(" ", 1)[-1]]
    for mapping in fields:
        if isinstance(mapping, Mapping):
            found += [v for k, v in mapping.items() if isinstance(v, str) and _CREDENTIAL_NAME.search(str(k))]
    return [v for v in found if v]


class RedactingFormatter(logging.Formatter):
    """A log formatter whose every line (message, arguments and traceback) is redacted."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)
