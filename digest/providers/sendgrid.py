"""SendGrid v3 mail/send: one call per batch of up to 1,000 personalizations.

The body is sent once; each personalization carries the recipient, their
unsubscribe link (as substitutions) and their List-Unsubscribe headers.
API: https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send.
Rate limits come with ``X-RateLimit-Reset`` (an epoch time).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parseaddr
from html import escape
from typing import TYPE_CHECKING

from digest.config.base import parse_int, setting
from digest.config.delivery import provider_base_url, provider_ids, provider_key
from digest.providers.base import Outgoing, SendResult
from digest.providers.http import HttpProvider, bodies_with

if TYPE_CHECKING:
    import requests

HTML_VAR = "-digestUnsubHtml-"
TEXT_VAR = "-digestUnsubText-"


@dataclass(frozen=True, kw_only=True)
class SendGridSettings:
    """The keys of both SendGrid providers (sendgrid and sendgrid-campaign)."""

    api_key: str = provider_key(
        "DIGEST_SENDGRID_API_KEY", "SendGrid API key (Settings > API Keys).", secret=True
    )
    base_url: str = provider_base_url("DIGEST_SENDGRID_BASE_URL", "sendgrid", "https://api.sendgrid.com")
    list_ids: list[str] = provider_ids(
        "DIGEST_SENDGRID_LIST_IDS", "SendGrid Marketing list ids (provider sendgrid-campaign)."
    )
    sender_id: str = provider_key(
        "DIGEST_SENDGRID_SENDER_ID", "SendGrid verified sender id (sendgrid-campaign)."
    )
    unsubscribe_group: int = setting(
        "DIGEST_SENDGRID_UNSUBSCRIBE_GROUP",
        0,
        "SendGrid unsubscribe group id; 0: sendgrid-campaign uses DIGEST_UNSUBSCRIBE_URL instead.",
        parse=parse_int,
        section="Delivery",
    )


class SendGridAuth(HttpProvider):
    """What both SendGrid APIs share: the key, the root and the rate-limit hint."""

    settings_class = SendGridSettings
    required = {"api_key": "create one in SendGrid: Settings > API Keys"}
    options: SendGridSettings
    key_setting = "DIGEST_SENDGRID_API_KEY"

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        return {"Authorization": f"Bearer {self.options.api_key}"}, None

    def retry_hint(self, response: requests.Response) -> float | None:
        reset = response.headers.get("X-RateLimit-Reset")
        if reset and reset.strip().isdigit():
            return max(float(reset) - time.time(), 0.0)
        return super().retry_hint(response)


class SendGridProvider(SendGridAuth):
    name = "sendgrid"
    batch_size = 1000

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        content = batch[0].content
        html, text = bodies_with(content, HTML_VAR, TEXT_VAR)
        name, address = parseaddr(content.sender)
        body = {
            "personalizations": [_personal(item, idem_key) for item in batch],
            "from": {"email": address, **({"name": name} if name else {})},
            "subject": content.subject,
            "content": [{"type": "text/plain", "value": text}, {"type": "text/html", "value": html}],
            "headers": {"List-Id": content.list_id} if content.list_id else {},
        }
        response = self.request("POST", "/v3/mail/send", json=body)
        return SendResult(provider_id=response.headers.get("X-Message-Id", ""))


def _personal(item: Outgoing, idem_key: str) -> dict[str, object]:
    to = {"email": item.recipient.email, **({"name": item.recipient.name} if item.recipient.name else {})}
    link = item.unsubscribe_link
    return {
        "to": [to],
        "substitutions": {HTML_VAR: escape(link), TEXT_VAR: link},
        "headers": item.unsubscribe_headers,
        "custom_args": {"digest_batch": idem_key[:16]},
    }
