"""Provider webhooks: bounces, complaints and unsubscribes come home.

``POST /webhooks/<name>`` goes to the webhook of that name, which lives with its provider
(its module in ``digest/providers/`` holds the signature check, the event format and the
key; see :mod:`digest.providers.webhook`), so this module names none. A webhook whose key
is empty answers 404; a request it refuses records nothing and gets its status (401 for a
bad signature or secret); each event it reads is stored once with its effect on the list
(:mod:`digest.store.mail_events`), so a provider's retry changes nothing.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request

from digest.errors import WebhookRefused
from digest.serve.site import site

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger("digest.serve")


@blueprint.post("/<name>")
def receive(name: str) -> Response:
    from digest.providers.registry import webhook_class
    from digest.providers.webhook import Inbound
    from digest.store.mail_events import record

    s = site()
    found = webhook_class(name)
    hook = found(s.settings.options(found.settings_class)) if found and found.settings_class else None
    if hook is None or not hook.key:
        abort(404)
    try:
        events = hook.events(Inbound.of(request.get_data(cache=False), request.headers.items()))
    except WebhookRefused as refused:
        if refused.status == 401:
            log.warning("%s webhook with a bad signature or secret; ignored", name)
        return Response(f"{refused.reason}\n", status=refused.status, mimetype="text/plain")
    if not events:
        abort(400)
    for event in events:
        record(s.engine, event)
    return Response("ok\n", mimetype="text/plain")
