"""Postmark: batches of up to 500 messages on a Broadcast message stream.

``/email/batch`` answers 200 even when single messages fail, so every entry of
the answer is checked and the refused addresses are reported. An answer that
cannot be read leaves the batch ``unknown`` (Postmark takes no idempotency key).
API: https://postmarkapp.com/developer/user-guide/send-email-with-api/batch-emails.

Its records: each message carries the batch's marker as ``Metadata.digest_batch``; a batch in
doubt is looked up with the outbound message search (``GET /messages/outbound`` filtered by
``metadata_digest_batch`` on the stream; a batch is at most 500 messages, so one page).
API: https://postmarkapp.com/developer/api/messages-api.

The webhook (``/webhooks/postmark``): Postmark signs nothing, so its address carries a long
random secret as the basic-auth password; one event (a Bounce, SpamComplaint, Delivery or
SubscriptionChange record) per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from digest.config.base import setting
from digest.config.delivery import provider_base_url, provider_key
from digest.errors import ProviderError
from digest.providers.base import Outgoing, SendResult
from digest.providers.http import HttpProvider
from digest.providers.records import Found, InDoubt, only
from digest.providers.webhook import (
    MailEvent,
    SecretWebhook,
    is_address,
    iso_time,
    made_up_secret,
    nested,
    short_hash,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True, kw_only=True)
class PostmarkSettings:
    api_key: str = provider_key("DIGEST_POSTMARK_API_KEY", "Postmark Server API token.", secret=True)
    base_url: str = provider_base_url("DIGEST_POSTMARK_BASE_URL", "postmark", "https://api.postmarkapp.com")
    stream: str = setting(
        "DIGEST_POSTMARK_STREAM",
        "broadcast",
        "Postmark message stream; newsletters must use a Broadcast stream.",
        section="Delivery",
    )
    webhook_key: str = setting(
        "DIGEST_POSTMARK_WEBHOOK_KEY",
        "",
        "A long random password for Postmark's webhook (Postmark signs nothing; 24 or more letters, digits, "
        "- or _): give it as the basic-auth password of https://digest:<key>@.../webhooks/postmark. Empty: "
        "that address is off.",
        parse=made_up_secret,
        secret=True,
        section="Web",
    )


class PostmarkProvider(HttpProvider):
    name = "postmark"
    batch_size = 500
    settings_class = PostmarkSettings
    required = {"api_key": "the Server API token from Postmark: Servers > API Tokens"}
    options: PostmarkSettings
    key_setting = "DIGEST_POSTMARK_API_KEY"
    keeps_records = True
    settle_window = 1800.0  # not documented for Postmark: Mailgun's half hour

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        return {"X-Postmark-Server-Token": self.options.api_key}, None

    def send_batch(self, batch: list[Outgoing], idem_key: str) -> SendResult:
        messages = [_message(item, self.options.stream, idem_key) for item in batch]
        answers = self.answer(self.request("POST", "/email/batch", json=messages))
        if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
            raise ProviderError(
                self.name,
                "accepted the batch (200) but its answer is not a list of results; "
                "which messages went out is not known, so it is not resent",
                outcome_unknown=True,
            )
        rejected = tuple(
            (item.recipient.email, f"{answer.get('ErrorCode')}: {answer.get('Message', '')}")
            for item, answer in zip(batch, answers, strict=False)
            if answer.get("ErrorCode", 0) != 0
        )
        ids = [str(a.get("MessageID", "")) for a in answers if a.get("ErrorCode", 0) == 0]
        return SendResult(provider_id=ids[0] if ids else "", rejected=rejected)


    def received(self, calls: Sequence[InDoubt]) -> Found:
        """Who Postmark got: the outbound messages carrying each batch's marker."""
        found: Found = {}
        for call in calls:
            query = {
                "count": 500,
                "offset": 0,
                "messagestream": self.options.stream,
                "metadata_digest_batch": call.marker,
            }
            answer = self.answer(self.request("GET", f"/messages/outbound?{urlencode(query)}"))
            messages = answer.get("Messages") if isinstance(answer, dict) else None
            if not isinstance(messages, list):
                raise ProviderError(self.name, "its message search answered without a list of messages",
                                    retryable=True)
            found[call.delivery_id] = only({a for m in messages for a in _recipients(m)}, call)
        return found


def _recipients(message: Any) -> list[str]:
    """The addresses one message of the search went to (``Recipients``, else ``To``)."""
    if not isinstance(message, dict):
        return []
    listed = message.get("Recipients")
    if isinstance(listed, list):
        return [a for a in listed if isinstance(a, str)]
    to = message.get("To")
    return [str(t.get("Email", "")) for t in to if isinstance(t, dict)] if isinstance(to, list) else []


def _message(item: Outgoing, stream: str, idem_key: str) -> dict[str, object]:
    html, text = item.bodies()  # Postmark's batch takes each message whole
    headers = [{"Name": name, "Value": value} for name, value in item.unsubscribe_headers.items()]
    headers += [{"Name": name, "Value": value} for name, value in item.content.headers.items()]
    return {
        "From": item.content.sender,
        "To": item.to,
        "Subject": item.content.subject,
        "HtmlBody": html,
        "TextBody": text,
        "MessageStream": stream,
        "Headers": headers,
        "Metadata": {"digest_batch": idem_key[:16]},
    }


class PostmarkWebhook(SecretWebhook):
    name = "postmark"
    settings_class = PostmarkSettings

    def event(self, item: dict[str, Any]) -> MailEvent | None:
        record = str(item.get("RecordType", ""))
        recipient = item.get("Email") or item.get("Recipient")
        if not is_address(recipient):
            return None
        kind, hard = _kind(record, item)
        stamp = item.get("BouncedAt") or item.get("DeliveredAt") or item.get("ChangedAt") or ""
        ident = item.get("ID") or short_hash(record, item.get("MessageID"), recipient, stamp)
        return MailEvent(
            event_id=f"postmark:{record}:{ident}",
            provider="postmark",
            kind=kind,
            hard=hard,
            recipient=str(recipient),
            message_id=str(item.get("MessageID") or ""),
            at=iso_time(stamp),
            detail=str(item.get("Description", "")),
            tag=str(nested(item, "Metadata", "digest_batch")),  # each message of a batch has its own id
        )


SUPPRESSION = {"HardBounce": ("bounced", True), "SpamComplaint": ("complained", False)}


def _kind(record: str, item: dict[str, Any]) -> tuple[str, bool]:
    """(kind, hard) of a record: a bounce is hard when its Type is HardBounce; a SubscriptionChange
    that suppresses sending says why (a manual suppression is an unsubscribe)."""
    if record == "Bounce":
        return "bounced", item.get("Type") == "HardBounce"
    if record == "SpamComplaint":
        return "complained", False
    if record == "Delivery":
        return "delivered", False
    if record == "SubscriptionChange" and item.get("SuppressSending") is True:
        return SUPPRESSION.get(str(item.get("SuppressionReason")), ("unsubscribed", False))
    return "other", False
