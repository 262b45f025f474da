"""SendGrid v3 mail/send: one call per batch of up to 1,000 personalizations.

The body is sent once; each personalization carries the recipient, their
unsubscribe link (as substitutions) and their List-Unsubscribe headers.
API: https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send.
Rate limits come with ``X-RateLimit-Reset`` (an epoch time).

Its records: each personalization carries the batch's marker in ``custom_args.digest_batch``. A
batch in doubt is looked up in the Email Activity API (``GET /v3/messages`` with the query
``unique_args['digest_batch']="<marker>"``), which needs SendGrid's paid activity history; an
account without it answers 400, 401, 403 or 404, and then only the events its webhook already
brought count (they prove SendGrid got a recipient; their absence proves nothing).
API: https://www.twilio.com/docs/sendgrid/api-reference/email-activity/filter-all-messages.

The webhook (``/webhooks/sendgrid``, for both SendGrid providers) is the Signed Event Webhook:
an ECDSA P-256/SHA-256 signature over the timestamp header followed by the raw body (so the
body is checked as it came, never re-serialised), a timestamp under 15 minutes old, and a
JSON array of events (thousands in a batch: `digest serve` caps the body's size, not the
count), each with its own ``sg_event_id``. Each event carries back the ``custom_args`` of
its message, so ``digest_batch`` names the ledger's call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parseaddr
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from digest.config.base import parse_int, setting
from digest.config.delivery import provider_base_url, provider_ids, provider_key
from digest.errors import ProviderError
from digest.providers.base import Outgoing, SendResult
from digest.providers.http import HttpProvider, bodies_with
from digest.providers.records import Found, InDoubt, only
from digest.providers.webhook import (
    MAX_AGE,
    Inbound,
    MailEvent,
    Webhook,
    WebhookRefused,
    epoch_time,
    is_address,
    number,
    objects,
    required,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import requests

HTML_VAR = "-digestUnsubHtml-"
TEXT_VAR = "-digestUnsubText-"
MANAGE_HTML_VAR = "-digestManageHtml-"
MANAGE_TEXT_VAR = "-digestManageText-"


def verification_key(raw: str) -> str:
    """SendGrid's verification key as it signs with it: an ECDSA P-256 public key, base64 DER (the
    ``BEGIN/END PUBLIC KEY`` lines and line breaks of a PEM copy are taken off)."""
    import base64
    import binascii
    import re

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    text = "".join(re.sub(r"-----(BEGIN|END) [A-Z ]{1,40}-----", "", raw).split())
    try:
        public = load_der_public_key(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, TypeError):
        public = None
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise ValueError(
            "is not SendGrid's verification key (a base64 ECDSA public key); copy it again from "
            "SendGrid: Settings > Mail Settings > Signed Event Webhook"
        )
    return text


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
    webhook_key: str = setting(
        "DIGEST_SENDGRID_WEBHOOK_KEY",
        "",
        "SendGrid's Signed Event Webhook verification key (the base64 public key; PEM lines are fine). Set "
        "it to receive events at {DIGEST_PUBLIC_URL}/webhooks/sendgrid; empty: that address is off.",
        parse=verification_key,
        secret=True,
        section="Web",
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
    keeps_records = True
    settle_window = 1800.0  # not documented for SendGrid: Mailgun's half hour

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        content = batch[0].content
        manage = bool(batch[0].manage_link)  # one setting for all: a page for everyone, or for nobody
        html_vars = (HTML_VAR, MANAGE_HTML_VAR if manage else "")
        html, text = bodies_with(content, html_vars, (TEXT_VAR, MANAGE_TEXT_VAR if manage else ""))
        name, address = parseaddr(content.sender)
        body = {
            "personalizations": [_personal(item, idem_key) for item in batch],
            "from": {"email": address, **({"name": name} if name else {})},
            "subject": content.subject,
            "content": [{"type": "text/plain", "value": text}, {"type": "text/html", "value": html}],
            "headers": content.headers,
        }
        response = self.request("POST", "/v3/mail/send", json=body)
        return SendResult(provider_id=response.headers.get("X-Message-Id", ""))


    def received(self, calls: Sequence[InDoubt]) -> Found:
        """Who SendGrid got, from its Email Activity; without that add-on, nothing (the stored
        webhook events still count, as they do for every provider)."""
        found: Found = {}
        for call in calls:
            query = {"limit": 1000, "query": f"unique_args['digest_batch']=\"{call.marker}\""}
            try:
                answer = self.answer(self.request("GET", f"/v3/messages?{urlencode(query)}"))
            except ProviderError as exc:
                if exc.status_code in NO_ACTIVITY:
                    return found
                raise
            messages = answer.get("messages") if isinstance(answer, dict) else None
            if not isinstance(messages, list):
                raise ProviderError(self.name, "its Email Activity answered without a list of messages",
                                    retryable=True)
            addresses = {str(m.get("to_email", "")) for m in messages if isinstance(m, dict)}
            found[call.delivery_id] = only(addresses, call)
        return found


# What an account without the Email Activity add-on (or a key without its scope) is answered.
NO_ACTIVITY = frozenset({400, 401, 403, 404})


def _personal(item: Outgoing, idem_key: str) -> dict[str, object]:
    to = {"email": item.recipient.email, **({"name": item.recipient.name} if item.recipient.name else {})}
    link, manage = item.unsubscribe_link, item.manage_link
    subs = {HTML_VAR: escape(link), TEXT_VAR: link}
    if manage:
        subs.update({MANAGE_HTML_VAR: escape(manage), MANAGE_TEXT_VAR: manage})
    return {
        "to": [to],
        "substitutions": subs,
        "headers": item.unsubscribe_headers,
        "custom_args": {"digest_batch": idem_key[:16]},
    }


class SendGridWebhook(Webhook):
    name = "sendgrid"
    settings_class = SendGridSettings

    def events(self, inbound: Inbound) -> list[MailEvent]:
        stamp = inbound.header("X-Twilio-Email-Event-Webhook-Timestamp")
        given = inbound.header("X-Twilio-Email-Event-Webhook-Signature")
        if not ecdsa_ok(self.key, stamp, inbound.body, given):
            raise WebhookRefused(401, "bad signature")
        if abs(inbound.received - number(stamp)) > MAX_AGE:
            raise WebhookRefused(400, "stale")
        items = inbound.json()
        if not isinstance(items, list):
            raise WebhookRefused(400, "not a list of events")
        return [required(sendgrid_event(item)) for item in objects(items)]


def ecdsa_ok(key: str, stamp: str, body: bytes, given: str) -> bool:
    """SendGrid's signature: ECDSA P-256/SHA-256 over the timestamp header followed by the raw body."""
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        public = load_der_public_key(base64.b64decode(key))
        signature = base64.b64decode(given, validate=True)
        if not isinstance(public, ec.EllipticCurvePublicKey) or not stamp:
            return False
        public.verify(signature, stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


KINDS = {
    "delivered": "delivered",
    "bounce": "bounced",
    "dropped": "rejected",
    "deferred": "deferred",
    "spamreport": "complained",
    "unsubscribe": "unsubscribed",
    "group_unsubscribe": "unsubscribed",
}


def sendgrid_event(item: dict[str, Any]) -> MailEvent | None:
    """One event of the batch normalised (None without an address or an ``sg_event_id``)."""
    name = str(item.get("event", ""))
    if not is_address(item.get("email")) or not item.get("sg_event_id"):
        return None
    message_id = str(item.get("sg_message_id", ""))
    return MailEvent(
        event_id=f"sendgrid:{item['sg_event_id']}",
        provider="sendgrid",
        kind=KINDS.get(name, "other"),
        # SendGrid's "blocked" bounces are temporary refusals by the receiving server.
        hard=name == "bounce" and item.get("type", "bounce") != "blocked",
        recipient=item["email"],
        message_id=message_id,
        at=epoch_time(item.get("timestamp")),
        detail=str(item.get("reason", "")),
        # sg_message_id is the X-Message-Id the send answered, followed by ".filter..."; a Single
        # Send's events name the campaign, whose id the ledger's campaign row holds.
        send_id=str(item.get("singlesend_id") or message_id.strip().strip("<>").split(".", 1)[0]),
        tag=str(item.get("digest_batch", "")),
    )
