"""Mailing providers, one module each, chosen by DIGEST_PROVIDER."""

from __future__ import annotations

from digest.config import Settings
from digest.errors import ConfigError
from digest.providers.base import Campaign, Content, Outgoing, Provider, SendResult
from digest.providers.brevo import BrevoProvider
from digest.providers.buttondown import ButtondownProvider
from digest.providers.listmonk import ListmonkProvider
from digest.providers.mailchimp import MailchimpProvider
from digest.providers.mailgun import MailgunProvider
from digest.providers.outbox import OutboxProvider
from digest.providers.postmark import PostmarkProvider
from digest.providers.sendgrid import SendGridProvider
from digest.providers.sendgrid_campaign import SendGridCampaignProvider
from digest.providers.smtp import SmtpProvider

PROVIDERS: dict[str, type[Provider]] = {
    "outbox": OutboxProvider,
    "smtp": SmtpProvider,
    "sendgrid": SendGridProvider,
    "mailgun": MailgunProvider,
    "postmark": PostmarkProvider,
    "buttondown": ButtondownProvider,
    "mailchimp": MailchimpProvider,
    "listmonk": ListmonkProvider,
    "brevo": BrevoProvider,
    "sendgrid-campaign": SendGridCampaignProvider,
}


def make_provider(settings: Settings) -> Provider:
    try:
        cls = PROVIDERS[settings.provider]
    except KeyError:
        raise ConfigError(
            "DIGEST_PROVIDER",
            f"{settings.provider!r} is not available in this version",
            f"use one of: {', '.join(sorted(PROVIDERS))}",
        ) from None
    return cls(settings)


__all__ = ["PROVIDERS", "Campaign", "Content", "Outgoing", "Provider", "SendResult", "make_provider"]
