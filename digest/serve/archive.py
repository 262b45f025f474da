"""The archive: every sent edition as it went out ("view in browser").

The page is the frozen email of the edition (never a re-render). The per-recipient markers
are filled with ``/unsubscribe``, a page that says how to leave with the links of one's own
email, so no token or address is ever in it. It is served in the
language of the copy shown (Content-Language).

Protected terms are checked again at every request against the **current** terms file
(digest.guard.sent_hits): a name added after an edition was sent withholds that edition
from the list and its page (410, "withdrawn"), and the dashboard names each withheld edition
with the term and where it is. Each edition is checked once per version of the terms file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, request

from digest.serve.site import site
from digest.serve.words import LANGUAGES, page_language, render

if TYPE_CHECKING:
    from digest.config import Settings
    from digest.protect import Hit
    from digest.store import Engine
    from digest.store.rows import EditionRow

blueprint = Blueprint("archive", __name__)

# The frozen email carries inline styles and remote images; it still runs no script and is never framed.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
MAX_LISTED = 500


def sent_editions(settings: Settings, engine: Engine) -> list[tuple[EditionRow, list[Hit]]]:
    """The sent editions, newest first, each with the current protected terms found in it.
    Rehearsals (editions that went only to a provider that sends nothing) are never published."""
    from digest.guard import sent_hits
    from digest.providers.registry import rehearsal_only
    from digest.store.ledger import Ledger

    ledger, terms = Ledger(engine), settings.protected_terms()
    sent = [e for e in ledger.editions(MAX_LISTED) if e.status == "sent"]
    rehearsed = ledger.rehearsals(rehearsal_only(), [e.key for e in sent])
    return [(e, sent_hits(terms, ledger, e)) for e in sent if e.key not in rehearsed]


@blueprint.get("/archive")
def index() -> tuple[str, int]:
    from zoneinfo import ZoneInfo

    settings = site().settings
    zone = ZoneInfo(settings.timezone)  # the day it went out where the organisation is, not in UTC
    shown = [(e, e.sent_at.astimezone(zone).date() if e.sent_at else None)
             for e, hits in sent_editions(settings, site().engine) if not hits]
    return render("archive.html.j2", page_language(), editions=shown), 200


@blueprint.get("/unsubscribe")
def leave() -> tuple[str, int]:
    """Where the archive's Unsubscribe and Manage preferences links lead: how to do either with
    the links in one's own copy of the email. It changes nothing."""
    return render("leave.html.j2", page_language()), 200


@blueprint.get("/archive/<path:key>")
def edition(key: str) -> Response | tuple[str, int]:
    from digest.guard import sent_hits
    from digest.providers.registry import rehearsal_only
    from digest.render.email import personalise
    from digest.store.ledger import Ledger

    ledger = Ledger(site().engine)
    found = ledger.edition(key[:64])
    if found is None or found.status != "sent" or len(key) > 64:
        abort(404)
    if ledger.rehearsals(rehearsal_only(), [found.key]):
        abort(404)  # a rehearsal: its copy (sample content, sample address) is not for the public
    if sent_hits(site().settings.protected_terms(), ledger, found):
        return render("error.html.j2", page_language(), code=410), 410
    lang = request.args.get("lang", "")
    bodies = ledger.bodies(found.key) if lang else {}
    html, shown = (bodies[lang][1], lang) if lang in bodies else (found.html, site().settings.language)
    # The public copy knows no reader: its Unsubscribe and Manage preferences links go to a page that
    # says how to leave (with the links in one's own email), never to the sign-up form; the address
    # is DIGEST_PUBLIC_URL's, never the request's Host.
    leave = site().settings.public_url + "/unsubscribe" + (f"?lang={lang}" if lang in LANGUAGES else "")
    body = personalise(html, unsubscribe_url=leave, manage_url=leave + "#preferences", is_html=True)
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    response.headers["Content-Language"] = shown
    return response
