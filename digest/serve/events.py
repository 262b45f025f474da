"""Each provider's webhook events normalised to one MailEvent (django-anymail's model).

kind: delivered, bounced (``hard`` for a permanent failure), complained,
unsubscribed, rejected, deferred or other. The event id is the provider's own
where it has one; Brevo has none, so message id, event and time make one.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from typing import Any

from digest.store.mail_events import MailEvent


def _when(value: Any, millis: bool = False) -> datetime:
    try:
        stamp = float(value) / (1000 if millis else 1)
    except (TypeError, ValueError):
        stamp = time.time()
    return datetime.fromtimestamp(stamp, UTC)


def _iso(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _valid(address: Any) -> bool:
    return isinstance(address, str) and "@" in address and len(address) <= 320


SENDGRID = {
    "delivered": "delivered",
    "bounce": "bounced",
    "dropped": "rejected",
    "deferred": "deferred",
    "spamreport": "complained",
    "unsubscribe": "unsubscribed",
    "group_unsubscribe": "unsubscribed",
}


def sendgrid(item: dict[str, Any]) -> MailEvent | None:
    name = str(item.get("event", ""))
    if not _valid(item.get("email")) or not item.get("sg_event_id"):
        return None
    kind = SENDGRID.get(name, "other")
    # SendGrid's "blocked" bounces are temporary refusals by the receiving server.
    hard = name == "bounce" and item.get("type", "bounce") != "blocked"
    return MailEvent(
        event_id=f"sendgrid:{item['sg_event_id']}",
        provider="sendgrid",
        kind=kind,
        hard=hard,
        recipient=item["email"],
        message_id=str(item.get("sg_message_id", "")),
        at=_when(item.get("timestamp")),
        detail=str(item.get("reason", "")),
    )


def postmark(item: dict[str, Any]) -> MailEvent | None:
    record = str(item.get("RecordType", ""))
    recipient = item.get("Email") or item.get("Recipient")
    if not _valid(recipient):
        return None
    kind, hard = "other", False
    if record == "Bounce":
        kind, hard = "bounced", item.get("Type") == "HardBounce"
    elif record == "SpamComplaint":
        kind = "complained"
    elif record == "Delivery":
        kind = "delivered"
    elif record == "SubscriptionChange" and item.get("SuppressSending") is True:
        reason = item.get("SuppressionReason")
        kind, hard = {"HardBounce": ("bounced", True), "SpamComplaint": ("complained", False)}.get(
            str(reason), ("unsubscribed", False)
        )
    stamp = item.get("BouncedAt") or item.get("DeliveredAt") or item.get("ChangedAt") or ""
    ident = item.get("ID") or _digest(record, item.get("MessageID"), recipient, stamp)
    return MailEvent(
        event_id=f"postmark:{record}:{ident}",
        provider="postmark",
        kind=kind,
        hard=hard,
        recipient=str(recipient),
        message_id=str(item.get("MessageID") or ""),
        at=_iso(stamp),
        detail=str(item.get("Description", "")),
    )


BREVO = {
    "delivered": "delivered",
    "hard_bounce": "bounced",
    "soft_bounce": "bounced",
    "spam": "complained",
    "complaint": "complained",
    "unsubscribe": "unsubscribed",
    "unsubscribed": "unsubscribed",
    "blocked": "rejected",
    "invalid_email": "rejected",
    "deferred": "deferred",
}


def brevo(item: dict[str, Any]) -> MailEvent | None:
    name = str(item.get("event", ""))
    if not _valid(item.get("email")):
        return None
    message_id = str(item.get("message-id", ""))
    stamp = item.get("ts_epoch")  # milliseconds, UTC: the only reliable clock in Brevo's payload
    return MailEvent(
        event_id=f"brevo:{_digest(message_id, name, item['email'], stamp)}",
        provider="brevo",
        kind=BREVO.get(name, "other"),
        hard=name == "hard_bounce",
        recipient=item["email"],
        message_id=message_id,
        at=_when(stamp, millis=True),
        detail=str(item.get("reason", "")),
    )


def _digest(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]
