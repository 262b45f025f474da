"""The one-click unsubscribe's own door: ``POST /u/<token>`` answered in front of Flask.

A whole list may press the button within minutes of a send, and mailbox providers send the
POST themselves (RFC 8058); under that load Flask's request handling (request context,
routing, session, after_request on a header object) cost more CPU than the database work.
This WSGI layer answers exactly that request when it is the common case: a working link of the
current format, no cookie, no query string, a body no larger than a form may be; one
statement (:mod:`digest.store.one_click`), the confirmation page rendered once per language
(:func:`digest.serve.words.render_filled`) and the headers Flask's after_request would add
(:func:`digest.serve.headers.fresh_headers`; a test compares both answers).

Everything else goes to Flask untouched and is answered as before: GET and HEAD, old,
expired, forged or unknown links (404 and 410 pages), a request with a cookie or ``?lang=``,
the first answer of each language (Flask renders that page and keeps it), and a database
failure (logged here, then Flask runs the request again and answers and logs it as every view's
failure; the statement changes an address only once, so running it twice is safe).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from digest import clock
from digest.serve.headers import MAX_BODY, fresh_headers
from digest.serve.site import site
from digest.serve.words import choose_language, fill_hole, mask, page_key
from digest.unsubscribe import UNSUBSCRIBE, Opened, day_of, open_token

if TYPE_CHECKING:
    from flask import Flask

PAGE = "unsubscribed.html.j2"
log = logging.getLogger("digest.serve")


class OneClickDoor:
    """WSGI: the one-click POST of the common case answered here, everything else by ``app``."""

    def __init__(self, app: Flask) -> None:
        self.flask = app.wsgi_app
        self.site = site(app)
        self.https = self.site.settings.public_url.startswith("https://")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        answer = self._answer(environ) if _ours(environ) else None
        if answer is None:
            return self.flask(environ, start_response)
        headers, body = answer
        start_response("200 OK", headers)
        return [body]

    def _answer(self, environ: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes] | None:
        s, now = self.site, clock.now()
        opened = open_token(s.key, UNSUBSCRIBE, environ["PATH_INFO"][3:], day_of(now))
        if not isinstance(opened, Opened):
            return None
        try:
            left = s.one_click.unsubscribe(opened.ref, now)
        except Exception:
            log.exception("one-click unsubscribe failed; Flask tries it once more")
            return None
        if left is None:
            return None
        lang = choose_language("", left.language, _accepted(environ), s.settings.language)
        page = s.pages.get(page_key(PAGE, lang, {"known": left.known}))
        if page is None:
            return None
        body = fill_hole(page, mask(left.email)).encode()
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        return headers + fresh_headers(lang, self.https), body


def _ours(environ: dict[str, Any]) -> bool:
    """The common one-click POST: no cookie (no session to open or refresh), no ``?lang=``, no
    body past a form's cap (nor one of unknown length)."""
    if environ.get("REQUEST_METHOD") != "POST" or not environ.get("PATH_INFO", "").startswith("/u/"):
        return False
    if environ.get("HTTP_COOKIE") or environ.get("QUERY_STRING") or environ.get("HTTP_TRANSFER_ENCODING"):
        return False
    length = environ.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) <= MAX_BODY


def _accepted(environ: dict[str, Any]) -> Any:
    """The request's Accept-Language, as Flask's ``request.accept_languages`` reads it."""
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    return parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
