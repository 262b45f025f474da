"""Public pages: health check and one-click unsubscribe (RFC 8058).

``GET /u/<token>`` shows one button and changes nothing: mail link scanners
open every link. ``POST /u/<token>`` unsubscribes at once, whether it comes
from that button or from a mailbox provider's one-click request
(``List-Unsubscribe=One-Click``, no cookie, no CSRF token), and answers 200
with the confirmation page: never a redirect, which RFC 8058 forbids.

A token names the address only through its opaque id (:mod:`digest.unsubscribe`): a
forged, cut-short or foreign token, one made for another page, and one whose address was
forgotten all get the same 404; an expired one gets 410, which says to use a newer email.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from digest import clock
from digest.serve.site import site
from digest.serve.words import mask, page_language, render, render_filled

blueprint = Blueprint("public", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


def address_of(token: str, purpose: str = "unsubscribe") -> str:
    """The address behind a working link of ``purpose``; 404 (no such link) or 410 (expired) otherwise."""
    from digest.unsubscribe import day_of, open_link

    s = site()
    link = open_link(s.engine, s.key, purpose, token, day_of(clock.now()))
    if link.expired:
        abort(Response(render("error.html.j2", page_language(), code=410, expired=True), status=410))
    if link.address is None:
        abort(404)
    return link.address


def own_link(purpose: str, address: str) -> str:
    """The path of this address's page of ``purpose`` (``unsubscribe`` or ``preferences``), made now."""
    from digest.unsubscribe import UNSUBSCRIBE, day_of, token_for

    s = site()
    token = token_for(s.engine, s.key, purpose, address, day_of(clock.now()))
    return ("/u/" if purpose == UNSUBSCRIBE else "/preferences/") + token


@blueprint.route("/u/<path:token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int]:
    from digest.store import signups
    from digest.unsubscribe import PREFERENCES

    if request.method == "POST":
        return _one_click(token)
    address = address_of(token)  # GET and HEAD (Flask adds HEAD to every GET route): no change
    row = signups.lookup(site().engine, address)
    lang = page_language(row.language if row else "")
    prefs = own_link(PREFERENCES, address) if row else ""
    page = render("unsubscribe.html.j2", lang, address=mask(address), known=row is not None, prefs=prefs)
    return page, 200


def _one_click(token: str) -> tuple[str, int]:
    """Unsubscribe now. A link of the current format names the address by its id, so this is one
    statement (the busiest path of the site: a whole list may press it within minutes); an old
    link holds the address itself."""
    from digest.store import signups
    from digest.unsubscribe import UNSUBSCRIBE, Opened, day_of, open_token

    s, now = site(), clock.now()
    opened = open_token(s.key, UNSUBSCRIBE, token, day_of(now))
    if isinstance(opened, Opened):
        left = s.one_click.unsubscribe(opened.ref, now)
        if left is None:  # no address has this id: never made, or forgotten
            abort(404)
        address, known, language = left.email, left.known, left.language
    else:  # expired, malformed or forged (address_of answers 410 or 404), or an old link
        address = address_of(token)
        row = signups.unsubscribe(s.engine, address, now)
        known, language = row is not None, row.language if row else ""
    return render_filled("unsubscribed.html.j2", page_language(language), mask(address), known=known), 200
