"""Mailgun: one multipart call per batch of up to 1,000 recipients.

``recipient-variables`` is always sent, even for one recipient: without it
Mailgun puts every address of the batch in every recipient's To header.
Rate-limit answers say "try again after <date>" in the body.
API: https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from typing import TYPE_CHECKING

from digest.config.delivery import provider_base_url, provider_key
from digest.providers.base import Outgoing, SendResult
from digest.providers.http import HttpProvider, bodies_with

if TYPE_CHECKING:
    import requests

AFTER = re.compile(r"try again after (.+?)(?:\"|$)", re.I)


@dataclass(frozen=True, kw_only=True)
class MailgunSettings:
    api_key: str = provider_key("DIGEST_MAILGUN_API_KEY", "Mailgun API key (API Security).", secret=True)
    base_url: str = provider_base_url(
        "DIGEST_MAILGUN_BASE_URL", "mailgun", "https://api.mailgun.net/v3", "https://api.eu.mailgun.net/v3"
    )
    domain: str = provider_key("DIGEST_MAILGUN_DOMAIN", "Mailgun sending domain.", example="mg.example.org")


class MailgunProvider(HttpProvider):
    name = "mailgun"
    batch_size = 1000
    settings_class = MailgunSettings
    required = {
        "api_key": "copy it from Mailgun: API Security",
        "domain": "your sending domain, e.g. mg.example.org",
    }
    options: MailgunSettings
    key_setting = "DIGEST_MAILGUN_API_KEY"

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        return {}, ("api", self.options.api_key)

    def retry_hint(self, response: requests.Response) -> float | None:
        match = AFTER.search(response.text)
        if match:
            try:
                when = parsedate_to_datetime(match.group(1).strip().rstrip("."))
            except (TypeError, ValueError):
                when = None
            if when is not None:
                when = when if when.tzinfo else when.replace(tzinfo=UTC)
                return max((when - datetime.now(UTC)).total_seconds(), 0.0)
        return super().retry_hint(response)

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        content = batch[0].content
        html, text = bodies_with(content, "%recipient.unsub_html%", "%recipient.unsub_text%")
        variables = {
            item.recipient.email: {
                "unsub_html": escape(item.unsubscribe_link),
                "unsub_text": item.unsubscribe_link,
                "list_unsubscribe": item.list_unsubscribe,
            }
            for item in batch
        }
        fields: list[tuple[str, str]] = [("from", content.sender)]
        fields += [("to", item.to) for item in batch]
        fields += [
            ("subject", content.subject),
            ("text", text),
            ("html", html),
            ("recipient-variables", json.dumps(variables)),
            ("h:List-Unsubscribe", "%recipient.list_unsubscribe%"),
            ("o:tag", "digest"),
            ("v:digest-batch", idem_key[:16]),
        ]
        if any(item.unsubscribe_https for item in batch):
            fields.append(("h:List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        if content.list_id:
            fields.append(("h:List-Id", content.list_id))
        # multipart/form-data, as the documentation's examples use (-F).
        files = [(k, (None, v)) for k, v in fields]
        response = self.request("POST", f"/{self.options.domain}/messages", files=files)
        return SendResult(provider_id=str(self.answer(response, "id")))
