"""Mailgun: one multipart call per batch of up to 1,000 recipients, and its webhook.

``recipient-variables`` is always sent, even for one recipient: without it
Mailgun puts every address of the batch in every recipient's To header.
Rate-limit answers say "try again after <date>" in the body.
API: https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending.

Its records: every message of an edition is tagged ``digest-<edition>`` (``o:tag``, beside the
constant ``digest``) and each batch carries ``v:digest-batch``. A batch in doubt is looked up in
the Events API (``GET /v3/<domain>/events``, filtered by that tag and ``accepted OR rejected``,
paged by ``paging.next`` until an empty page): one event per recipient Mailgun got.
API: https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/events/get-v3-domain_name-events.

The webhook (``/webhooks/mailgun``): Mailgun signs ``timestamp + token`` (HMAC-SHA256 under
the webhook signing key) but not the event itself, so besides the signature the timestamp
must be recent and the token new: the token is the event's id, stored once, so a replay or
a retry changes nothing. A stale one is refused with 406 (Mailgun's "rejected, do not retry").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from digest.config.base import setting
from digest.config.delivery import provider_base_url, provider_key
from digest.errors import ConfigError
from digest.providers.base import Outgoing, SendResult
from digest.providers.http import HttpProvider, bodies_with
from digest.providers.records import Found, InDoubt, edition_tag, only
from digest.providers.webhook import (
    MAX_AGE,
    Inbound,
    MailEvent,
    Webhook,
    WebhookRefused,
    epoch_time,
    nested,
    number,
    required,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import requests

AFTER = re.compile(r"try again after (.+?)(?:\"|$)", re.I)
EVENT_PAGE = 300  # the Events API's largest page
MAX_PAGES = 1000  # 300,000 events: far beyond one edition's; a loop in the paging stops here
SIGNING_KEY = re.compile(r"[A-Za-z0-9_-]{16,200}\Z")


def signing_key(raw: str) -> str:
    """The shape of Mailgun's webhook signing key: one word of letters, digits and dashes (a hex
    string, or ``key-...`` on older accounts)."""
    value = raw.strip()
    if not SIGNING_KEY.match(value):
        raise ValueError(
            "is not a Mailgun webhook signing key (16 or more letters, digits and dashes); copy the "
            "HTTP webhook signing key from Mailgun: Sending > Webhooks"
        )
    return value


@dataclass(frozen=True, kw_only=True)
class MailgunSettings:
    api_key: str = provider_key("DIGEST_MAILGUN_API_KEY", "Mailgun API key (API Security).", secret=True)
    base_url: str = provider_base_url(
        "DIGEST_MAILGUN_BASE_URL", "mailgun", "https://api.mailgun.net/v3", "https://api.eu.mailgun.net/v3"
    )
    domain: str = provider_key("DIGEST_MAILGUN_DOMAIN", "Mailgun sending domain.", example="mg.example.org")
    webhook_key: str = setting(
        "DIGEST_MAILGUN_WEBHOOK_KEY",
        "",
        "Mailgun's HTTP webhook signing key (Sending > Webhooks; not the API key). Set it to receive "
        "bounces and complaints at {DIGEST_PUBLIC_URL}/webhooks/mailgun; empty: that address is off.",
        parse=signing_key,
        secret=True,
        section="Web",
    )

    def check_webhook_key(self) -> None:
        if self.webhook_key and self.webhook_key == self.api_key:
            raise ConfigError(
                "DIGEST_MAILGUN_WEBHOOK_KEY",
                "is the API key, which Mailgun does not sign webhooks with",
                "copy the HTTP webhook signing key from Mailgun: Sending > Webhooks",
            )


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
    keeps_records = True
    settle_window = 1800.0  # Mailgun: trust a page of events only once it is about half an hour old

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
        manage = bool(batch[0].manage_link)  # one setting for all: a page for everyone, or for nobody
        html, text = bodies_with(
            content,
            ("%recipient.unsub_html%", "%recipient.manage_html%" if manage else ""),
            ("%recipient.unsub_text%", "%recipient.manage_text%" if manage else ""),
        )
        variables = {
            item.recipient.email: {
                "unsub_html": escape(item.unsubscribe_link),
                "unsub_text": item.unsubscribe_link,
                "manage_html": escape(item.manage_link),
                "manage_text": item.manage_link,
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
        if content.list_id:  # an edition (a side email is to one person and has no list)
            fields.append(("o:tag", edition_tag(content.edition_key)))
        if any(item.one_click for item in batch):
            fields.append(("h:List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        fields += [(f"h:{name}", value) for name, value in content.headers.items()]
        # multipart/form-data, as the documentation's examples use (-F).
        files = [(k, (None, v)) for k, v in fields]
        response = self.request("POST", f"/{self.options.domain}/messages", files=files)
        return SendResult(provider_id=str(self.answer(response, "id")))


    def received(self, calls: Sequence[InDoubt]) -> Found:
        """Who Mailgun got, from the ``accepted`` and ``rejected`` events of each edition's tag."""
        got: dict[str, set[str]] = {}
        for key in sorted({c.edition_key for c in calls}):
            since = min(c.since for c in calls if c.edition_key == key)
            for item in self._events(edition_tag(key), since):
                batch = nested(item, "user-variables", "digest-batch")
                recipient = item.get("recipient")
                if item.get("event") in ("accepted", "rejected") and isinstance(recipient, str) and batch:
                    got.setdefault(str(batch), set()).add(recipient)
        return {c.delivery_id: only(got.get(c.marker, set()), c) for c in calls}

    def _events(self, tag: str, since: float) -> Iterator[dict[str, Any]]:
        """Every event of ``tag`` since ``since``, oldest first, page by page until an empty page."""
        query = {"tags": tag, "event": "accepted OR rejected", "begin": f"{since:.0f}", "ascending": "yes"}
        root = self.base_url().rstrip("/")
        url = f"{root}/{self.options.domain}/events?{urlencode({**query, 'limit': EVENT_PAGE})}"
        for _ in range(MAX_PAGES):
            answer = self.answer(self.transport.request("GET", url, repeat=True))
            items = answer.get("items") if isinstance(answer, dict) else None
            if not items or not isinstance(items, list):
                return
            yield from (i for i in items if isinstance(i, dict))
            url = same_api(root, str(nested(answer, "paging", "next") or ""))
            if not url:
                return


def same_api(root: str, link: str) -> str:
    """A page link of the API under ``root`` (on ``root``'s own host, whatever host the link names,
    so our key goes to Mailgun's API and nowhere else); "" for a link elsewhere in the API or none."""
    base, page = urlsplit(root), urlsplit(link)
    if not page.path.startswith(base.path.rstrip("/") + "/"):
        return ""
    return urlunsplit((base.scheme, base.netloc, page.path, page.query, ""))


class MailgunWebhook(Webhook):
    name = "mailgun"
    settings_class = MailgunSettings

    def events(self, inbound: Inbound) -> list[MailEvent]:
        payload = inbound.json_object()
        signature, data = payload.get("signature"), payload.get("event-data")
        if not isinstance(signature, dict) or not isinstance(data, dict):
            raise WebhookRefused(400, "no signature or event-data")
        if not signed(self.key, signature):
            raise WebhookRefused(401, "bad signature")
        if abs(inbound.received - number(signature.get("timestamp"))) > MAX_AGE:
            raise WebhookRefused(406, "stale")
        return [required(mailgun_event(str(signature["token"]), data))]


def signed(key: str, signature: dict[str, Any]) -> bool:
    timestamp, token, given = (str(signature.get(k, "")) for k in ("timestamp", "token", "signature"))
    if not timestamp or len(token) < 20 or len(token) > 200:
        return False
    expected = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


KINDS = {
    "delivered": "delivered",
    "complained": "complained",
    "unsubscribed": "unsubscribed",
    "rejected": "rejected",
    "failed": "bounced",  # a soft bounce is recorded too; it suppresses nothing by itself
}


def mailgun_event(token: str, data: dict[str, Any]) -> MailEvent | None:
    """Mailgun's ``event-data`` normalised (None when it names no recipient)."""
    recipient = data.get("recipient")
    if not isinstance(recipient, str) or "@" not in recipient:
        return None
    name = str(data.get("event", ""))
    code, why = nested(data, "delivery-status", "code"), nested(data, "delivery-status", "description")
    detail = f"{code} {why or nested(data, 'delivery-status', 'message')}".strip()
    return MailEvent(
        event_id=f"mailgun:{token}",
        provider="mailgun",
        kind=KINDS.get(name, "other"),
        hard=name == "failed" and data.get("severity") == "permanent",
        recipient=recipient,
        message_id=str(nested(data, "message", "headers", "message-id")),
        at=epoch_time(data.get("timestamp")),
        detail=detail or str(data.get("reason", "")),
        tag=str(nested(data, "user-variables", "digest-batch")),  # our v:digest-batch
    )
