"""Bounce settings of the provider that sends through our own server: where late bounces go and are read.

A provider's webhook tells digest about bounces; our own SMTP server cannot, so its bounces
come back by mail. The smtp provider owns these keys as the others own their webhook keys;
the scheduler and `digest bounces check` read the mailbox (:mod:`digest.deliver.bounces`).
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.base import parse_float, setting
from digest.errors import ConfigError
from digest.mailbox import Where, parse_mailbox_url, where
from digest.verp import parse_bounce_address


@dataclass(frozen=True, kw_only=True)
class BounceSettings:
    bounce_address: str = setting(
        "DIGEST_BOUNCE_ADDRESS",
        "",
        "Envelope sender of every message (provider smtp): bounces come back to it with a token that "
        "names the message (bounces+<token>@example.org; write {token} where another separator is "
        "needed). Its domain needs SPF for your server. Empty: bounces go to DIGEST_FROM.",
        parse=parse_bounce_address,
        example="bounces@news.example.org",
        section="SMTP",
    )
    bounce_mailbox: str = setting(
        "DIGEST_BOUNCE_MAILBOX",
        "",
        "Mailbox where bounces and complaint reports arrive, read by digest run and digest bounces "
        "check: imaps://user@host/INBOX or pop3s://user@host (imap:// and pop3:// use STARTTLS; plain "
        "only on this machine). Empty: only refusals during the send are seen.",
        parse=parse_mailbox_url,
        secret=True,
        example="imaps://bounces%40example.org@mail.example.org/INBOX",
        section="SMTP",
    )
    bounce_password: str = setting(
        "DIGEST_BOUNCE_PASSWORD",
        "",
        "Password of the DIGEST_BOUNCE_MAILBOX user, when it is not in the address.",
        secret=True,
        section="SMTP",
    )
    bounce_timeout: float = setting(
        "DIGEST_BOUNCE_TIMEOUT", 30.0, "Seconds to wait for the bounce mailbox's server.", parse=parse_float,
        section="SMTP",
    )

    @property
    def mailbox(self) -> Where | None:
        """Where the bounce mailbox is, with its password; None when none is set."""
        if not self.bounce_mailbox:
            return None
        return where(self.bounce_mailbox, self.bounce_password)

    def check_bounce_mailbox(self) -> None:
        place = self.mailbox
        if place is not None and not place.password:
            raise ConfigError(
                "DIGEST_BOUNCE_PASSWORD", "is empty and DIGEST_BOUNCE_MAILBOX has no password",
                "set the mailbox user's password",
            )
