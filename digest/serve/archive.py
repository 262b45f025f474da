"""The archive: every sent edition as it went out ("view in browser").

The page is the frozen email of the edition (never a re-render: protected
terms were checked on exactly these bytes before the send). The per-recipient
markers are filled with the sign-up page, so no token or address is ever in it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from digest.serve.site import site
from digest.serve.words import page_language, render

blueprint = Blueprint("archive", __name__)

# The frozen email carries inline styles and remote images; it still runs no script and is never framed.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
MAX_LISTED = 500


@blueprint.get("/archive")
def index() -> tuple[str, int]:
    from digest.store.ledger import Ledger

    sent = [e for e in Ledger(site().engine).editions(MAX_LISTED) if e.status == "sent"]
    return render("archive.html.j2", page_language(), editions=sent), 200


@blueprint.get("/archive/<path:key>")
def edition(key: str) -> Response:
    from digest.render.email import personalise
    from digest.store.ledger import Ledger

    ledger = Ledger(site().engine)
    found = ledger.edition(key[:64])
    if found is None or found.status != "sent" or len(key) > 64:
        abort(404)
    html = found.html
    lang = request.args.get("lang", "")
    if lang:
        html = ledger.bodies(found.key).get(lang, ("", html, ""))[1]
    signup = site().public_url() + "/subscribe"
    body = personalise(html, unsubscribe_url=signup, manage_url=signup, is_html=True)
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    return response
