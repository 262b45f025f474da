"""SMTP: one message per call, over reused connections, all driven from one thread in rounds
(:mod:`digest.providers.smtp_lanes`); a paced send has a sending thread per connection instead.

Where a failure happens decides what it means:
- while connecting, greeting, STARTTLS or logging in, or at MAIL/RCPT: nothing was
  accepted, so it is safe to try again (a connection dropped while idle is
  reopened and the message sent at once);
- during DATA: the body is written, then (once the ledger has recorded the
  hand-over, see :mod:`digest.providers.handover`) the final "."; if the
  connection ends after that and before the answer, the outcome is unknown and
  the message is not resent in this run;
- a 4xx answer is temporary (retry later), a 5xx answer permanent (failed); a refusal of the
  recipient at RCPT or DATA is a :class:`~digest.errors.RecipientRefused`, which the send feeds
  to the bounce policy (:mod:`digest.deliver.refusals`).

``DIGEST_SMTP_RATE`` paces all threads together.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Self

from digest.config import Settings
from digest.config.base import choice, parse_float, parse_int, parse_positive_int, path_text, setting
from digest.errors import ConfigError, ProviderError
from digest.providers.base import Outgoing, Provider, SendResult, Shared, wire_policy
from digest.providers.bounce_mailbox import BounceSettings
from digest.providers.dkim import DkimSigner
from digest.providers.smtp_connections import NETWORK_ERRORS, Connections, Pacer
from digest.providers.smtp_exchange import (
    close_data,
    dropped_twice,
    ended_during_data,
    envelope,
    refusal,
    refused_envelope,
)
from digest.providers.smtp_exchange import data as send_data
from digest.providers.smtp_lanes import Lanes, Wire
from digest.verp import envelope_sender

if TYPE_CHECKING:
    from digest.dnslookup import DnsLookup
    from digest.mailcheck import Finding


@dataclass(frozen=True, kw_only=True)
class SmtpSettings(BounceSettings):
    host: str = setting(
        "DIGEST_SMTP_HOST", "", "SMTP server host name.", example="smtp.example.org", section="SMTP",
        first_hour=True,
    )
    port: int = setting(
        "DIGEST_SMTP_PORT", 587, "SMTP port: 587 for starttls, 465 for tls.", parse=parse_int, section="SMTP",
        first_hour=True,
    )
    security: str = setting(
        "DIGEST_SMTP_SECURITY",
        "starttls",
        "How to encrypt: starttls, tls (implicit, port 465) or none (only for a server on this machine).",
        parse=choice("starttls", "tls", "none"),
        section="SMTP",
        first_hour=True,
    )
    username: str = setting(
        "DIGEST_SMTP_USERNAME", "", "SMTP login; empty: no login.", section="SMTP", first_hour=True
    )
    password: str = setting(
        "DIGEST_SMTP_PASSWORD",
        "",
        "Password of DIGEST_SMTP_USERNAME on the SMTP server.",
        secret=True,
        section="SMTP",
        first_hour=True,
    )
    connections: int = setting(
        "DIGEST_SMTP_CONNECTIONS",
        2,
        "Parallel connections to the SMTP server; each is reused for many messages.",
        parse=parse_positive_int,
        section="SMTP",
    )
    rate: float = setting(
        "DIGEST_SMTP_RATE",
        0.0,
        "Most messages per second over all connections (your provider's limit); 0: no limit.",
        parse=parse_float,
        section="SMTP",
    )
    timeout: float = setting(
        "DIGEST_SMTP_TIMEOUT", 30.0, "Seconds to wait for the SMTP server.", parse=parse_float, section="SMTP"
    )
    ca_file: str = setting(
        "DIGEST_SMTP_CA_FILE",
        "",
        "Certificate authority file to trust for a server with its own certificate; empty: the system's.",
        parse=path_text,
        section="SMTP",
    )

    def check_smtp_server(self) -> None:
        # A host no resolver takes or a CA file that is gone would fail mid-send: stop at start-up.
        from digest.config.checks import check_ca_file, check_host

        check_host("DIGEST_SMTP_HOST", self.host)
        check_ca_file("DIGEST_SMTP_CA_FILE", self.ca_file)

    def check_smtp(self) -> None:
        # Checked whatever the provider: alerts of a campaign provider go out by SMTP.
        from digest.config.web_values import is_local

        if self.username and not self.password:
            raise ConfigError(
                "DIGEST_SMTP_PASSWORD", "is empty but DIGEST_SMTP_USERNAME is set", "set both or neither"
            )
        if self.security == "none" and self.username and self.host and not is_local(self.host):
            raise ConfigError(
                "DIGEST_SMTP_SECURITY",
                f"is none, so the password of DIGEST_SMTP_USERNAME would cross the network to {self.host} "
                "unencrypted",
                "use starttls (port 587) or tls (port 465); none is only for a server on this machine",
            )


class SmtpProvider(Provider):
    name = "smtp"
    batch_size = 1
    settings_class = SmtpSettings
    required = {"host": "your mail server's host name, e.g. smtp.example.org"}
    options: SmtpSettings
    records_handover = True
    # A server cannot recognise a repeat: after a crash, a message handed over without an
    # answer is sent once more (a possible duplicate, reported) rather than maybe missed.
    resend_in_doubt = True
    prepares_ahead = True
    # One message to one address through the mail server: side emails (alerts) when the
    # chosen provider sends campaigns to a list.
    stands_in = True

    def __init__(
        self, options: SmtpSettings, shared: Shared, dkim: DkimSigner | None = None, key: bytes = b""
    ) -> None:
        super().__init__(options, shared)
        self.pool = Connections(self.name, options)
        self.pacer = Pacer(float(options.rate))
        self.envelope_from = parseaddr(shared.sender)[1]
        self._mail_from = f"FROM:{smtplib.quoteaddr(self.envelope_from)}"
        self.dkim = dkim  # None: the relay signs, if anyone does
        self.key = key  # signs the VERP tokens of DIGEST_BOUNCE_ADDRESS
        self._lanes: Lanes | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        from digest.unsubscribe import secret_key

        dkim = DkimSigner.from_settings(settings)
        options = settings.options(SmtpSettings)
        key = secret_key(settings) if options.bounce_address else b""
        return cls(options, Shared.from_settings(settings), dkim, key)

    def mail_from(self, idem_key: str) -> str:
        """The MAIL FROM argument: DIGEST_FROM, or the call's own VERP address (see :mod:`digest.verp`)."""
        if not self.options.bounce_address:
            return self._mail_from  # the same for every call: quoted once
        address = envelope_sender(self.options.bounce_address, self.key, idem_key)
        return f"FROM:{smtplib.quoteaddr(address)}"

    def dkim_domain(self) -> str | None:
        return self.dkim.domain.decode() if self.dkim is not None else None

    def envelope_domain(self) -> str | None:
        return (self.options.bounce_address or self.envelope_from).rpartition("@")[2].lower()

    def doctor(self, lookup: DnsLookup) -> list[Finding]:
        from digest.providers.smtp_doctor import dns_findings, server_finding

        found = [server_finding(self.name, self.options)]
        return found + dns_findings(self.dkim, self.shared.sender, self.options.bounce_address, lookup)

    @property
    def connections(self) -> int:
        return int(self.options.connections)

    # -- sending -----------------------------------------------------------
    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        from digest.render.message import message_id

        mail_from = self.mail_from(idem_key)
        # The Message-ID the message carries (a batch is one message): a relay's webhook names it.
        last = ""
        for item in batch:
            self.pacer.wait()
            last = message_id(item.edition_key, item.recipient.email, item.content.sender)
            self._send_one(self._wire(item, last), item.recipient.email, mail_from)
        return SendResult(provider_id=last)

    def prepare_batch(self, batch: list[Outgoing], idem_key: str) -> Callable[[], SendResult]:
        """The message built now: a :class:`~digest.providers.smtp_lanes.Wire`, which the lanes carry,
        or which sends itself on a sending thread's connection."""
        from digest.render.message import message_id

        if len(batch) != 1 or self.pacer.interval:  # paced: each message waits for its slot first
            return super().prepare_batch(batch, idem_key)
        item, mail_from = batch[0], self.mail_from(idem_key)
        msgid = message_id(item.edition_key, item.recipient.email, item.content.sender)
        data, rcpt = self._wire(item, msgid), item.recipient.email
        return Wire(self._send_one, data, self.dkim is None, rcpt, mail_from, msgid)

    def lanes(self) -> Lanes | None:
        """All connections driven from one thread (:mod:`digest.providers.smtp_lanes`), unless the
        messages are paced (each waits for its slot on a sending thread)."""
        if self.pacer.interval:
            return None
        if self._lanes is None:
            self._lanes = Lanes(self.name, self.options, self.connections)
        return self._lanes

    def _wire(self, item: Outgoing, msgid: str) -> bytes:
        """The message as DATA carries it: CRLF line ends (smtplib fixes them only for str messages),
        built from a per-content template, dot-stuffed, except for a DKIM signature, made over the
        message as it is (and stuffed when sent)."""
        from digest.providers.wire import wire  # renders: imported only when sending

        rcpt = item.recipient.email
        if not rcpt.isascii():
            # Stored before addresses were checked for this; one such address fails alone, not the send.
            raise ProviderError(self.name, f"{rcpt}: the address is not ASCII, which SMTP cannot carry in To")
        data = wire(item, wire_policy(), self.dkim is None, msgid)
        return data if self.dkim is None else self.dkim.sign(data)

    def _send_one(self, data: bytes, rcpt: str, mail_from: str) -> None:
        for attempt in (1, 2):
            conn = self.pool.get()
            try:
                opened = self._envelope(conn, mail_from, rcpt)
                break
            except NETWORK_ERRORS:
                # Nothing was accepted yet: reopen once (idle connections get dropped).
                self.pool.drop()
                if attempt == 2:
                    raise dropped_twice(self.name) from None
        try:
            code, reply = send_data(conn, data, opened, self.dkim is None)
        except smtplib.SMTPDataError as exc:
            self._reset(conn)
            raise self._refused(refusal(self.name, exc.smtp_code, exc.smtp_error, rcpt, "DATA")) from None
        except NETWORK_ERRORS as exc:
            self.pool.drop()
            raise ended_during_data(self.name, exc) from None
        if code != 250:
            self._reset(conn)
            raise self._refused(refusal(self.name, code, reply, rcpt, "DATA"))

    def _envelope(self, conn: smtplib.SMTP, mail_from: str, rcpt: str) -> bool:
        """MAIL and RCPT, and DATA too when pipelined; True when DATA is open (answered 354)."""
        replies = envelope(conn, mail_from, rcpt)
        error = refused_envelope(self.name, replies, rcpt)
        if error is not None:
            if replies[-1][0] == 354:
                close_data(conn)
            self._reset(conn)
            raise self._refused(error)
        return len(replies) == 3

    def _reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except NETWORK_ERRORS:
            self.pool.drop()

    def _refused(self, error: ProviderError) -> ProviderError:
        if error.status_code == 421:  # the server is closing the connection
            self.pool.drop()
        return error

    def close(self) -> None:
        if self._lanes is not None:
            self._lanes.close()
        self.pool.close()
