"""Provider webhooks: bounces, complaints and unsubscribes come home (Mailgun).

Mailgun signs ``timestamp + token`` (HMAC-SHA256 under the webhook signing key)
but not the event itself, so besides the signature the timestamp must be recent
and the token new: the token is the event's id, stored once, so a replay or a
retry changes nothing. A bad signature records nothing and answers 401; a stale
one 406 (Mailgun's "rejected, do not retry").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, request

from digest.serve.app import site

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger("digest.serve")

MAX_AGE = 15 * 60  # seconds a signed timestamp stays acceptable (clock drift and quick retries)


@blueprint.post("/mailgun")
def mailgun() -> Response:
    from digest.store.mail_events import record

    key = site().settings.mailgun_webhook_key
    if not key:
        abort(404)
    payload = _json()
    signature = payload.get("signature")
    data = payload.get("event-data")
    if not isinstance(signature, dict) or not isinstance(data, dict):
        abort(400)
    if not _signed(key, signature):
        log.warning("mailgun webhook with a bad signature; ignored")
        return Response("bad signature\n", status=401, mimetype="text/plain")
    if abs(time.time() - _number(signature.get("timestamp"))) > MAX_AGE:
        return Response("stale\n", status=406, mimetype="text/plain")
    event = mailgun_event(str(signature["token"]), data)
    if event is None:
        abort(400)
    record(site().engine, event)
    return Response("ok\n", mimetype="text/plain")


def _json() -> dict[str, Any]:
    try:
        value = json.loads(request.get_data(cache=False) or b"")
    except (ValueError, UnicodeDecodeError):
        abort(400)
    if not isinstance(value, dict):
        abort(400)
    return value


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _signed(key: str, signature: dict[str, Any]) -> bool:
    timestamp, token, given = (str(signature.get(k, "")) for k in ("timestamp", "token", "signature"))
    if not timestamp or len(token) < 20 or len(token) > 200:
        return False
    expected = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def mailgun_event(token: str, data: dict[str, Any]) -> Any:
    """Mailgun's ``event-data`` normalised (None when it names no recipient)."""
    from digest.store.mail_events import MailEvent

    recipient = data.get("recipient")
    if not isinstance(recipient, str) or "@" not in recipient:
        return None
    name = str(data.get("event", ""))
    kinds = {
        "delivered": "delivered",
        "complained": "complained",
        "unsubscribed": "unsubscribed",
        "rejected": "rejected",
        "failed": "bounced",
    }
    kind = kinds.get(name, "other")
    hard = name == "failed" and data.get("severity") == "permanent"
    if name == "failed" and not hard:
        kind = "bounced"  # a soft bounce is recorded; it suppresses nothing by itself
    headers = (data.get("message") or {}).get("headers") or {}
    status = data.get("delivery-status") or {}
    at = datetime.fromtimestamp(_number(data.get("timestamp")) or time.time(), UTC)
    detail = f"{status.get('code', '')} {status.get('description') or status.get('message') or ''}".strip()
    return MailEvent(
        event_id=f"mailgun:{token}",
        provider="mailgun",
        kind=kind,
        hard=hard,
        recipient=recipient,
        message_id=str(headers.get("message-id", "")),
        at=at,
        detail=detail or str(data.get("reason", "")),
    )
