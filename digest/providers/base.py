"""The mailing-provider contract.

A provider gets its own options and the few shared values it needs, and frozen,
fully built content; it knows nothing of the CLI, `.env` or the ledger. Two kinds,
each sent through the ledger by its mode (:mod:`digest.deliver.modes`):

- ``message`` providers (we own the list): :meth:`Provider.send_batch` gets up to
  ``batch_size`` messages, one per recipient, and makes one irreversible call.
- ``campaign`` providers (the provider owns the list and the fan-out): subclasses of
  :class:`~digest.providers.http.CampaignProvider`, which split a send into
  ``create_draft`` / ``campaign_state`` / ``start`` so the ledger can record the
  campaign id before the irreversible step and reconcile after a crash.

Either returns a :class:`SendResult` or raises :class:`~digest.errors.ProviderError`
with ``retryable`` (safe to try again later: 429, 5xx, connection refused) or
``outcome_unknown`` (the request may have been delivered: never blindly resent).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

from digest.config import Settings
from digest.errors import ConfigError
from digest.providers.doctor_hooks import DoctorHooks
from digest.render.marks import MANAGE_MARK, UNSUBSCRIBE_MARK
from digest.types import Recipient

if TYPE_CHECKING:
    from collections.abc import Sequence
    from email.message import EmailMessage
    from email.policy import EmailPolicy

    from digest.providers.driver import Driver
    from digest.providers.records import Found, InDoubt

__all__ = [
    "MANAGE_MARK",
    "UNSUBSCRIBE_MARK",
    "Campaign",
    "CampaignStats",
    "Content",
    "Outgoing",
    "Provider",
    "SendResult",
    "Shared",
]


@dataclass(frozen=True, eq=False)
class Content:
    """One edition's frozen subject and bodies, shared by every message of a batch.

    ``html`` and ``text`` still hold the per-recipient markers; batch HTTP providers
    replace them with their own substitution syntax, SMTP fills them per message.
    """

    edition_key: str
    subject: str
    html: str
    text: str
    sender: str
    date: datetime
    list_id: str = ""
    language: str = ""
    reply_to: str = ""

    @property
    def headers(self) -> dict[str, str]:
        """List-Id and Content-Language, for an HTTP API that takes extra headers."""
        found = {"List-Id": self.list_id, "Content-Language": self.language}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True, eq=False)
class Outgoing:
    """One message for one recipient.

    ``message`` (the full MIME message) is built on first use only, so batch
    providers that send one body plus per-recipient variables never build it.
    """

    edition_key: str
    recipient: Recipient
    content: Content
    unsubscribe_https: str = ""
    unsubscribe_mailto: str = ""
    manage_link: str = ""  # the preferences page; empty when there is none (its footer line goes)

    @property
    def unsubscribe_link(self) -> str:
        """What the visible link in the body points to: the one-click page, else the mailto."""
        return self.unsubscribe_https or self.unsubscribe_mailto

    @property
    def list_unsubscribe(self) -> str:
        """The List-Unsubscribe header value (RFC 2369 / 8058)."""
        return ", ".join(f"<{u}>" for u in (self.unsubscribe_https, self.unsubscribe_mailto) if u)

    @property
    def one_click(self) -> bool:
        """Whether the unsubscribe link takes a one-click POST (RFC 8058: https only)."""
        from digest.render.message import one_click

        return one_click(self.unsubscribe_https)

    @property
    def unsubscribe_headers(self) -> dict[str, str]:
        """List-Unsubscribe, and List-Unsubscribe-Post when there is a one-click https link (RFC 8058)."""
        headers = {"List-Unsubscribe": self.list_unsubscribe}
        if self.one_click:
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return headers

    @property
    def to(self) -> str:
        from email.headerregistry import Address

        local, _, domain = self.recipient.email.partition("@")
        return str(Address(display_name=self.recipient.name, username=local, domain=domain))

    def bodies(self) -> tuple[str, str]:
        """The HTML and text with this recipient's links filled in."""
        from digest.render.email import personalise

        c, link, manage = self.content, self.unsubscribe_link, self.manage_link
        html = personalise(c.html, unsubscribe_url=link, manage_url=manage, is_html=True)
        return html, personalise(c.text, unsubscribe_url=link, manage_url=manage, is_html=False)

    @cached_property
    def message(self) -> EmailMessage:
        from digest.render.message import Envelope, build_message

        c = self.content
        html, text = self.bodies()
        envelope = Envelope(
            sender=c.sender,
            to=self.to,
            edition_key=c.edition_key,
            date=c.date,
            list_id=c.list_id,
            unsubscribe_https=self.unsubscribe_https,
            unsubscribe_mailto=self.unsubscribe_mailto,
            reply_to=c.reply_to,
            language=c.language,
        )
        return build_message(c.subject, html, text, envelope)


@functools.cache
def wire_policy() -> EmailPolicy[EmailMessage]:
    """How a message goes on the wire: CRLF line ends, and headers folded at 998 characters, not
    78, so a long List-Unsubscribe URL is never turned into an RFC 2047 encoded word (mail clients
    would not recognise it any more). Made when first needed: every command reads the chosen
    provider's class from this module, and the email package is about 12 ms of it (issue 24)."""
    from email.policy import SMTP

    return SMTP.clone(max_line_length=998)


def wire_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=wire_policy())


@dataclass(frozen=True)
class Campaign:
    """One edition for a provider that owns the list."""

    edition_key: str
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class CampaignStats:
    """A campaign's counts as its provider reports them after the send (they grow while it sends).

    ``sent``: messages the provider sent; ``bounced``: hard and soft bounces;
    ``delivered``: accepted by the receiving servers, when the provider says.
    """

    sent: int
    bounced: int
    delivered: int | None = None


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""
    # Per-recipient failures inside an accepted batch (address -> reason).
    rejected: tuple[tuple[str, str], ...] = field(default=())
    # No call was made: every recipient left the list after the send began (the ledger says who).
    skipped: bool = False


# Idempotency keys of `digest send --test` copies start with this (a provider that files
# messages by address keeps a test copy apart from the subscriber's own).
TEST_KEY_PREFIX = "test-"


@dataclass(frozen=True)
class Shared:
    """The few general settings a provider may need besides its own keys (``options``)."""

    sender: str  # DIGEST_FROM
    org_name: str  # the From name for a list provider when DIGEST_FROM has none
    data_dir: Path  # where a provider that writes files keeps them
    http_timeout: float  # DIGEST_HTTP_TIMEOUT
    unsubscribe_page: str  # where a list provider without its own unsubscribe group sends people

    @classmethod
    def from_settings(cls, settings: Settings) -> Shared:
        return cls(
            sender=settings.sender,
            org_name=settings.org_name,
            data_dir=Path(settings.data_dir),
            http_timeout=settings.http_timeout,
            unsubscribe_page=settings.unsubscribe_template or settings.site_url,
        )


class Provider(DoctorHooks):
    """Base class. Subclasses declare what the registry and the settings need, then
    implement one send method.

    - ``name``: the ``DIGEST_PROVIDER`` value. A module in ``digest/providers/`` that
      defines a subclass with a name *is* a provider; nothing else lists it.
    - ``settings_class``: a frozen dataclass of the provider's own keys, declared with
      :func:`digest.config.base.setting`; the instance is ``self.options``, and the
      general values it may need are ``self.shared`` (:class:`Shared`).
    - ``required``: field of ``settings_class`` -> how to get it; a missing one is a
      ConfigError naming its key when this provider is chosen.
    - limits: ``kind`` (set by the base class), ``batch_size`` and ``connections`` (how
      many threads may call :meth:`send_batch` at once, each then safe to call
      concurrently; the dispatcher never exceeds it).
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "message"
    batch_size: ClassVar[int] = 1
    # Whether a retry with the same idempotency key is safe after an unknown outcome.
    idempotent: ClassVar[bool] = False
    settings_class: ClassVar[type | None] = None
    required: ClassVar[dict[str, str]] = {}
    options: Any
    # Whether the provider calls digest.providers.handover.handing_over() just before the
    # step after which a message may have arrived (so a crash before it sent nothing).
    records_handover: ClassVar[bool] = False
    # Whether a message a crash left handed over without an answer is sent again once (and
    # reported as a possible duplicate) rather than left ``unknown`` for staff.
    resend_in_doubt: ClassVar[bool] = False
    # Whether a call follows its preparation within moments (an SMTP message, a round trip after the
    # previous one's answer), so the next call may be prepared, the list asked, while this one's
    # hand-over is recorded; not for calls that can take seconds (an HTTP batch).
    prepares_ahead: ClassVar[bool] = False
    # Whether it sends nothing to anyone (a rehearsal): its editions use up neither the period
    # nor their articles for a real provider chosen later, and with an empty list it writes
    # one copy to DIGEST_FROM so a first run shows something.
    rehearsal: ClassVar[bool] = False
    # Whether it sends the side emails (alerts) when DIGEST_PROVIDER keeps its own list and
    # would send them to everyone on it: it must need no list, only its own settings.
    stands_in: ClassVar[bool] = False
    # Whether it keeps records of what it got that :meth:`received` reads: a call left
    # ``unknown`` (a server error or time-out after it left) is then settled from them, not by
    # a person. Seconds after a call before its absence there proves it never arrived:
    # ``settle_window`` (records arrive late and out of order; finding one settles at once).
    keeps_records: ClassVar[bool] = False
    settle_window: ClassVar[float] = 1800.0

    def __init__(self, options: Any, shared: Shared) -> None:
        self.options = options
        self.shared = shared

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The provider with its options and the shared values, read from ``settings`` once."""
        options = settings.options(cls.settings_class) if cls.settings_class is not None else None
        return cls(options, Shared.from_settings(settings))

    @classmethod
    def check_settings(cls, settings: Settings) -> None:
        """Raise ConfigError naming the first required key that is empty (override to check more)."""
        if cls.settings_class is None:
            return
        options: Any = settings.options(cls.settings_class)
        keys = {f.name: f.metadata["env"] for f in dataclasses.fields(cls.settings_class)}
        for name, fix in cls.required.items():
            if not getattr(options, name):
                raise ConfigError(keys[name], f"is required for DIGEST_PROVIDER={cls.name}", fix)

    @classmethod
    def channel(cls) -> str:
        """The ledger's channel of this provider's deliveries."""
        return f"email:{cls.name}"

    @property
    def connections(self) -> int:
        return 1

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        """Send one batch (at most ``batch_size`` messages) in one call.

        Must be implemented by message providers. Raises ProviderError.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement send_batch")

    def prepare_batch(self, batch: list[Outgoing], idem_key: str) -> Callable[[], SendResult]:
        """:meth:`send_batch` in two steps: what can be done ahead (the dispatcher may run it while
        the thread's previous call awaits its answer), then the call. By default all is the call."""
        return partial(self.send_batch, batch, idem_key)

    def lanes(self) -> Driver[Any] | None:
        """Several calls at once driven from the dispatcher's one thread (:mod:`digest.providers.driver`),
        or None: each call is made on a sending thread of its own."""
        return None

    def received(self, calls: Sequence[InDoubt]) -> Found:
        """Ask the provider's own records (``keeps_records``) which recipients of these calls it got.

        Answers only for the calls its records speak for; raises ProviderError when they
        cannot be read (asked again at the next run). See :mod:`digest.providers.records`.
        """
        raise NotImplementedError(f"{type(self).__name__} keeps no records digest can read")

    @classmethod
    def where_sent(cls, shared: Shared, edition_key: str, people: int) -> str:
        """What `digest send` prints after the provider's name: where ``people`` recipients'
        messages of the edition went."""
        return f"{people} recipient(s) accepted by the provider"

    def copy_note(self, item: Outgoing, idem_key: str, result: SendResult) -> str:
        """How `digest send --test` refers to the copy it sent (here: the provider's id)."""
        return f" (id {result.provider_id})" if result.provider_id else ""

    def close(self) -> None:
        """Release connections. Safe to call twice."""
