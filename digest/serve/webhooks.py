"""Provider webhooks: bounces, complaints and unsubscribes come home.

``POST /webhooks/<name>`` goes to the webhook of that name, which lives with its provider
(its module in ``digest/providers/`` holds the signature check, the event format and the
key; see :mod:`digest.providers.webhook`), so this module names none. A webhook whose key
is empty answers 404; a request it refuses records nothing and gets its status (401 for a
bad signature or secret); the events it reads are stored in one transaction, each once and
only when it is about a message of ours (:mod:`digest.store.mail_events`), so a provider's
retry changes nothing and a stranger's address is never kept.

The body is the one part every webhook shares, so it is read here, and only here: at most
``DIGEST_WEBHOOK_MAX_MB`` (a batch of thousands of events is a few megabytes), in
pieces, refused with 413 past the cap before the rest is read; the webhook then checks its
signature over these exact bytes and parses them through the shared depth guard.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request

from digest.errors import WebhookRefused
from digest.serve.site import site

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger("digest.serve")

MB = 1024 * 1024
PIECE = 64 * 1024


@blueprint.post("/<name>")
def receive(name: str) -> Response:
    from digest.providers.registry import webhook_class
    from digest.providers.webhook import Inbound
    from digest.store.mail_events import record_all

    s = site()
    found = webhook_class(name)
    hook = found(s.settings.options(found.settings_class)) if found and found.settings_class else None
    if hook is None or not hook.key:
        abort(404)
    try:
        body = read_body(s.settings.webhook_max_mb * MB)
        events = hook.events(Inbound.of(body, request.headers.items()))
    except WebhookRefused as refused:
        if refused.status == 401:
            log.warning("%s webhook with a bad signature or secret; ignored", name)
        return Response(f"{refused.reason}\n", status=refused.status, mimetype="text/plain")
    if not events:
        abort(400)
    done = record_all(s.engine, events, s.key)
    if done.unmatched:
        # Counts only: an address we never had is not ours to write down, even in a log.
        log.info("%s webhook: %d event(s) about no message of ours dropped", name, done.unmatched)
    return Response("ok\n", mimetype="text/plain")


def read_body(limit: int) -> bytes:
    """The raw body, never more than ``limit`` bytes of it read (WebhookRefused 413 past it)."""
    too_big = WebhookRefused(413, f"the body is over {limit // MB} MB (DIGEST_WEBHOOK_MAX_MB)")
    if (request.content_length or 0) > limit:
        raise too_big
    request.max_content_length = limit  # this route's own cap, instead of the forms' 64 KB
    pieces, size = [], 0
    while piece := request.stream.read(PIECE):
        size += len(piece)
        if size > limit:
            raise too_big
        pieces.append(piece)
    return b"".join(pieces)
