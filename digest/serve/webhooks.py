"""Provider webhooks: bounces, complaints and unsubscribes come home.

Each receiver authenticates the way its provider allows (Mailgun's HMAC, SendGrid's
ECDSA signature over timestamp and raw body; Postmark and Brevo sign nothing, so a
secret in basic auth or a bearer token), then stores each normalised event once.
A failed check records nothing: 401.

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

from digest.serve.site import site

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
    value = _json_value(request.get_data(cache=False))
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


MAX_EVENTS = 1000  # SendGrid batches events; more than this in one POST is refused


@blueprint.post("/sendgrid")
def sendgrid() -> Response:
    import digest.serve.events as events

    key = site().settings.sendgrid_webhook_key
    if not key:
        abort(404)
    body = request.get_data(cache=True)
    stamp = request.headers.get("X-Twilio-Email-Event-Webhook-Timestamp", "")
    given = request.headers.get("X-Twilio-Email-Event-Webhook-Signature", "")
    if not _ecdsa_ok(key, stamp, body, given):
        log.warning("sendgrid webhook with a bad signature; ignored")
        return Response("bad signature\n", status=401, mimetype="text/plain")
    if abs(time.time() - _number(stamp)) > MAX_AGE:
        return Response("stale\n", status=400, mimetype="text/plain")
    items = _json_value(body)
    if not isinstance(items, list) or len(items) > MAX_EVENTS or not all(isinstance(i, dict) for i in items):
        abort(400)
    return _store([events.sendgrid(i) for i in items])


@blueprint.post("/postmark")
def postmark() -> Response:
    import digest.serve.events as events

    _require_secret(site().settings.postmark_webhook_key)
    item = _json()
    return _store([events.postmark(item)])


@blueprint.post("/brevo")
def brevo() -> Response:
    import digest.serve.events as events

    _require_secret(site().settings.brevo_webhook_key)
    item = _json()
    return _store([events.brevo(item)])


def _store(found: list[Any]) -> Response:
    from digest.store.mail_events import record

    if not found or any(e is None for e in found):
        abort(400)
    for event in found:
        record(site().engine, event)
    return Response("ok\n", mimetype="text/plain")


def _require_secret(key: str) -> None:
    """Basic auth (any user name) or a bearer token equal to ``key``; 404 when no key is set."""
    if not key:
        abort(404)
    auth = request.authorization
    given = ""
    if auth is not None:
        given = (auth.password if auth.type == "basic" else auth.token) or ""
    if not hmac.compare_digest(given.encode(), key.encode()):
        abort(401)


def _json_value(body: bytes) -> Any:
    try:
        return json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        abort(400)


def _ecdsa_ok(key: str, stamp: str, body: bytes, given: str) -> bool:
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
