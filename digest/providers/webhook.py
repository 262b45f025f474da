"""A provider's webhook: how its requests are authenticated, and its events read.

A provider whose service reports bounces, complaints and unsubscribes declares a
:class:`Webhook` subclass with a ``name`` in its own module, beside its sending code;
`digest serve` answers ``POST /webhooks/<name>`` through it (the registry finds it as
it finds providers) and stores each event with :func:`digest.store.mail_events.record`.
The webhook's key is a field ``webhook_key`` of the provider's settings class: empty,
the address is off (404).

:meth:`Webhook.events` gets the raw request (:class:`Inbound`) and returns the events
normalised to :class:`~digest.types.MailEvent` (django-anymail's model), or
raises :class:`~digest.errors.WebhookRefused` with the HTTP status to answer: nothing
is stored then. 401 for a bad signature or secret, 400 for a body that cannot be read.

Every body is parsed here (:meth:`Inbound.json`), after `digest serve` has read it with its
size cap (``DIGEST_WEBHOOK_MAX_MB``): its nesting depth is measured on the raw bytes first,
so a body nested deeper than :data:`MAX_DEPTH` is a 400 before the parser recurses into it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any, ClassVar

from digest.errors import WebhookRefused
from digest.types import MailEvent

__all__ = ["Inbound", "MailEvent", "SecretWebhook", "Webhook", "WebhookRefused"]

MAX_AGE = 15 * 60  # seconds a signed timestamp stays acceptable (clock drift and quick retries)
# Arrays and objects inside each other; the providers' events nest 4 or 5 deep (Mailgun's
# event-data.message.headers), and Python's parser recurses once per level.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Inbound:
    """One webhook request as it arrived: the raw body (signatures cover its exact bytes),
    the headers with lower-case names, and when it came (seconds since the epoch)."""

    body: bytes
    headers: Mapping[str, str]
    received: float

    @classmethod
    def of(cls, body: bytes, headers: Iterable[tuple[str, str]], received: float | None = None) -> Inbound:
        lower = {name.lower(): value for name, value in headers}
        return cls(body, lower, time.time() if received is None else received)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self) -> Any:
        """The body as JSON; 400 when it is not, or nests deeper than MAX_DEPTH."""
        try:
            text = self.body.decode("utf-8")  # JSON on the web is UTF-8 (RFC 8259)
        except UnicodeDecodeError:
            raise WebhookRefused(400, "the body is not UTF-8 JSON") from None
        if nesting_depth(self.body) > MAX_DEPTH:
            raise WebhookRefused(400, f"the body nests deeper than {MAX_DEPTH} levels")
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise WebhookRefused(400, "the body is not JSON") from None

    def json_object(self) -> dict[str, Any]:
        value = self.json()
        if not isinstance(value, dict):
            raise WebhookRefused(400, "the body is not a JSON object")
        return value


_KEPT = bytes(b for b in range(256) if b not in b'"[]{}')  # deleted: all but quotes and brackets
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes


def nesting_depth(body: bytes) -> int:
    """How deep the arrays and objects of a UTF-8 JSON text nest, read from its bytes without
    parsing it, in linear time and at C speed.

    Escaped backslashes, then escaped quotes, are dropped (left to right, as the parser pairs
    them), so every quote left opens or closes a string: the brackets between the 1st and 2nd
    quote, the 3rd and 4th, ... are text, the others are counted. In UTF-8 no byte of another
    character is a quote, a backslash or a bracket, so the bytes say what the parser will see.
    """
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0  # too few brackets to nest too deep
    marks = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _KEPT)
    outside = b"".join(marks.split(b'"')[::2]).translate(_STEPS)
    return max(accumulate(array("b", outside)), default=0)


class Webhook:
    """Base class. A subclass sets ``name`` (the last part of ``/webhooks/<name>``) and
    ``settings_class`` (the provider's, holding ``webhook_key``), and implements :meth:`events`."""

    name: ClassVar[str] = ""
    settings_class: ClassVar[type | None] = None

    def __init__(self, options: Any) -> None:
        self.options = options

    @property
    def key(self) -> str:
        """The webhook's signing key or shared secret; empty: the address is off."""
        return str(getattr(self.options, "webhook_key", "") or "")

    def events(self, inbound: Inbound) -> list[MailEvent]:
        """Check ``inbound`` and read its events (at least one). Raises WebhookRefused."""
        raise NotImplementedError(f"{type(self).__name__} must implement events")


class SecretWebhook(Webhook):
    """For services that sign nothing: the key must come as the basic-auth password (any user
    name) or as a bearer token, checked before the body is read. The body is one event, or a
    list of them (Brevo's batched webhooks)."""

    def events(self, inbound: Inbound) -> list[MailEvent]:
        if not hmac.compare_digest(given_secret(inbound.header("Authorization")).encode(), self.key.encode()):
            raise WebhookRefused(401, "wrong or missing secret")
        return [required(self.event(item)) for item in objects(inbound.json())]

    def event(self, item: dict[str, Any]) -> MailEvent | None:
        """One event of the body; None when it names no recipient."""
        raise NotImplementedError(f"{type(self).__name__} must implement event")


SECRET_CHARACTERS = re.compile(r"[A-Za-z0-9._~-]{24,500}\Z")  # what a URL's password holds as it is


def made_up_secret(raw: str) -> str:
    """The shape of a secret we make up for a service that signs nothing: long, and only characters
    that go into the webhook's address (``https://digest:<key>@...``) as they are."""
    value = raw.strip()
    if not SECRET_CHARACTERS.match(value):
        why = "too short" if len(value) < 24 else "holds characters a URL cannot hold as they are"
    elif len(set(value)) < 8:  # aaaa...: guessed at once
        why = f"uses only {len(set(value))} different character(s)"
    else:
        return value
    raise ValueError(
        f"{why}: use 24 or more letters, digits, - or _, e.g. the line printed by "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )


def given_secret(authorization: str) -> str:
    """The password of ``Basic`` credentials or the token of ``Bearer``; empty otherwise."""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() != "basic":
        return ""
    try:
        pair = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return pair.partition(":")[2]


def objects(body: Any) -> list[dict[str, Any]]:
    """One JSON object, or a non-empty list of them, as a list; 400 for anything else."""
    items = body if isinstance(body, list) else [body]
    if not items or not all(isinstance(item, dict) for item in items):
        raise WebhookRefused(400, "the body is not an event or a list of events")
    return items


def required(event: MailEvent | None) -> MailEvent:
    """An event that names no recipient makes the whole request a bad one (400)."""
    if event is None:
        raise WebhookRefused(400, "an event names no recipient")
    return event


def nested(item: Any, *path: str) -> Any:
    """``item[path[0]][path[1]]...``, or "" where a step is missing or not an object: event bodies
    are untrusted, and a list where an object belongs must not become a 500."""
    for name in path:
        item = item.get(name, "") if isinstance(item, dict) else ""
    return item


def is_address(value: Any) -> bool:
    return isinstance(value, str) and "@" in value and len(value) <= 320


def number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def epoch_time(value: Any, millis: bool = False) -> datetime:
    """A timestamp in seconds (or milliseconds) since the epoch; now when there is none."""
    stamp = number(value) / (1000 if millis else 1)
    return datetime.fromtimestamp(stamp or time.time(), UTC)


def iso_time(value: Any) -> datetime:
    """An ISO 8601 time (UTC when it names no zone); now when it cannot be read."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def short_hash(*parts: Any) -> str:
    """An event id made from its parts, for services whose events carry none."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]
