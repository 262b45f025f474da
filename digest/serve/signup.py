"""Sign-up with double opt-in, its confirmation, and a subscriber's preferences.

``POST /subscribe`` starts the confirmation sequence (:mod:`digest.deliver.confirm`, the
same one `digest subscribers import --resubscribe` uses): a signed link that expires after
a week; the address joins the list only when ``POST /confirm/<token>`` is pressed (``GET``
shows the button: mail scanners open links). The answer to a sign-up is the same whether
the address was new, waiting, already subscribed or forgotten, so the form does not reveal
who is on the list.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Blueprint, Response, abort, request

from digest import clock
from digest.deliver.confirm import CONFIRM_PATH
from digest.serve.public import own_link
from digest.serve.site import site
from digest.serve.words import consent_line, mask, page_language, render, words
from digest.unsubscribe import PREFERENCES, UNSUBSCRIBE

blueprint = Blueprint("signup", __name__)
log = logging.getLogger("digest.serve")

LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}


def _ip() -> str:
    return request.remote_addr or "?"


@blueprint.route("/subscribe", methods=["GET", "POST"])
def subscribe() -> tuple[str, int]:
    from digest.deliver.confirm import takes_sign_ups

    lang = page_language(request.form.get("language", ""))
    if not takes_sign_ups(site().settings):
        return render("subscribe_elsewhere.html.j2", lang, reason="sub_elsewhere"), 404
    if not site().settings.public_url:
        # Never a link built from the request's Host: whoever sends the request would choose it.
        log.error("sign-up is closed: set DIGEST_PUBLIC_URL to the public https address of digest serve")
        return render("subscribe_elsewhere.html.j2", lang, reason="sub_closed"), 503
    if request.method != "POST":
        return _form(lang, {}, ""), 200
    from_elsewhere = _elsewhere()  # a form on the organisation's own site (DIGEST_SIGNUP_ORIGINS)
    form: Mapping[str, str] = request.form
    if form.get("website", ""):  # the honeypot: people never see it, form-filling bots do
        log.info("sign-up honeypot filled; ignored")
        return render("subscribe_sent.html.j2", lang), 200
    if from_elsewhere and not form.get("language"):
        form = {**form, "language": lang}  # a pasted snippet that lost its hidden field
    errors = _check(form, lang)
    if errors:
        return _form(lang, errors, form.get("email", "")[:320]), 400
    if not site().ip_throttle.allow(_ip()):
        abort(429)
    return _request(form["email"], lang)


def _elsewhere() -> bool:
    """True for a form on one of DIGEST_SIGNUP_ORIGINS; False for our own (whose CSRF token is
    checked here); 403 for a form on any other site, before anything is read or sent."""
    from flask import current_app

    from digest.config.web_values import origin_of

    origin = request.headers.get("Origin", "")
    if origin and origin not in (origin_of(site().settings.public_url), origin_of(request.host_url)):
        if origin in site().settings.signup_origins:
            return True
        log.warning("sign-up refused from a site not in DIGEST_SIGNUP_ORIGINS: %s", origin[:200])
        abort(403)
    current_app.extensions["csrf"].protect()  # 400 without our own form's token
    return False


@blueprint.after_request
def _allow_reading(response: Response) -> Response:
    """A page of another listed site may read our answer to its sign-up (fetch), never with cookies."""
    if request.endpoint == "signup.subscribe":
        response.headers.add("Vary", "Origin")
        origin = request.headers.get("Origin", "")
        if origin in site().settings.signup_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
    return response


def _form(lang: str, errors: dict[str, str], email: str) -> str:
    return render(
        "subscribe.html.j2",
        lang,
        errors=errors,
        email=email,
        languages=LANGUAGE_NAMES,
        consent=consent_line(lang, site().settings.org_name),
    )


def snippet(lang: str) -> str:
    """The HTML of the sign-up form for another site, in ``lang`` (its action from DIGEST_PUBLIC_URL)."""
    settings = site().settings
    action = (settings.public_url or "https://news.example.org") + "/subscribe"
    consent = consent_line(lang, settings.org_name)
    return render("signup_snippet.html.j2", lang, action=action, consent=consent).strip() + "\n"


def _check(form: Mapping[str, str], lang: str) -> dict[str, str]:
    from digest.subscribers import normalise

    w, errors = words(lang), {}
    try:
        normalise(form.get("email", "")[:320])
    except ValueError:
        errors["email"] = w["email_invalid"]
    if form.get("language", "") not in LANGUAGE_NAMES:
        errors["language"] = w["language_invalid"]
    if form.get("consent") != "yes":
        errors["consent"] = w["consent_missing"]
    return errors


def _request(raw_address: str, lang: str) -> tuple[str, int]:
    """Queue the request whoever the address belongs to: the same work, and time, for all."""
    from digest.deliver.confirm import SignUp
    from digest.deliver.side_queue import queue_confirmation
    from digest.subscribers import normalise

    s, address = site(), normalise(raw_address)
    signup = SignUp(address, lang, consent_line(lang, s.settings.org_name))
    if s.address_throttle.allow(address):
        queue_confirmation(s.engine, signup, clock.now())
        s.wake.set()
    return render("subscribe_sent.html.j2", lang), 200


@blueprint.route(CONFIRM_PATH + "<path:token>", methods=["GET", "POST"])
def confirm(token: str) -> tuple[str, int]:
    from digest.deliver.confirm import link_hash
    from digest.deliver.side_queue import queue_welcome
    from digest.serve.public import address_of
    from digest.store.signups import confirm_signup, waiting_language
    from digest.unsubscribe import CONFIRM

    s = site()
    address = address_of(token, CONFIRM)
    lang = page_language(waiting_language(s.engine, address))  # the language they signed up in
    if request.method != "POST":
        return render("confirm.html.j2", lang, address=mask(address)), 200
    joined = confirm_signup(s.engine, address, clock.now(), link_hash(token))
    if joined is None:  # pressed twice, already confirmed, or the link is older than a leaving: void
        page = render("confirmed.html.j2", lang, address=mask(address), fresh=False, manage="")
        return page, 200
    queue_welcome(s.engine, address, joined, _latest_edition(), clock.now())
    s.wake.set()
    return render(
        "confirmed.html.j2",
        page_language(joined),
        address=mask(address),
        fresh=True,
        manage=own_link(PREFERENCES, address),
    ), 200


def _latest_edition() -> str:
    """The public page of the newest edition the archive shows (none withheld), else the archive."""
    from digest.serve.archive import sent_editions

    s = site()
    shown = next((e.key for e, hits in sent_editions(s.settings, s.engine) if not hits), "")
    return f"{s.settings.public_url}/archive" + (f"/{shown}" if shown else "")


@blueprint.route("/preferences/<path:token>", methods=["GET", "POST"])
def preferences(token: str) -> tuple[str, int]:
    from digest.serve.public import address_of
    from digest.store.signups import lookup, set_preferences

    s = site()
    address = address_of(token, PREFERENCES)
    row = lookup(s.engine, address)
    if row is None:
        abort(404)
    saved = False
    if request.method == "POST":
        language = request.form.get("language", "")
        if language not in LANGUAGE_NAMES:
            abort(400)
        set_preferences(s.engine, address, language, resubscribe=request.form.get("resubscribe") == "yes")
        row, saved = lookup(s.engine, address), True
    assert row is not None
    lang = page_language(row.language)
    return render(
        "preferences.html.j2",
        lang,
        address=mask(address),
        row=row,
        languages=LANGUAGE_NAMES,
        saved=saved,
        unsubscribe=own_link(UNSUBSCRIBE, address),
    ), 200
