"""Public pages: health check and one-click unsubscribe (RFC 8058).

``GET /u/<token>`` shows one button and changes nothing: mail link scanners
open every link. ``POST /u/<token>`` unsubscribes at once, whether it comes
from that button or from a mailbox provider's one-click request
(``List-Unsubscribe=One-Click``, no cookie, no CSRF token), and answers 200
with the confirmation page: never a redirect, which RFC 8058 forbids.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from digest.serve.site import site
from digest.serve.words import mask, page_language, render

blueprint = Blueprint("public", __name__)

MAX_TOKEN = 800  # a token for a 320-character address is under 470 characters


@blueprint.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


def address_of(token: str) -> str:
    """The address a token was signed for; 404 for a forged, truncated or foreign-key token."""
    from digest.unsubscribe import read_token

    address = read_token(site().key, token) if len(token) <= MAX_TOKEN else None
    if address is None:
        abort(404)
    return address


@blueprint.route("/u/<path:token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int]:
    from datetime import UTC, datetime

    from digest.store import signups

    address, engine = address_of(token), site().engine
    if request.method != "POST":  # GET and HEAD (Flask adds HEAD to every GET route)
        row = signups.lookup(engine, address)
        lang = page_language(row.language if row else "")
        page = render("unsubscribe.html.j2", lang, address=mask(address), known=row is not None, token=token)
        return page, 200
    row = signups.unsubscribe(engine, address, datetime.now(UTC))
    lang = page_language(row.language if row else "")
    return render("unsubscribed.html.j2", lang, address=mask(address), known=row is not None), 200
