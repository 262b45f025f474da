"""The security headers every answer of `digest serve` gets, set once as it leaves.

Flask's ``after_request`` (:func:`security_headers`) adds them to every view's answer; the
one-click door (:mod:`digest.serve.one_click`) sends the same ones on the answers it makes
itself (:func:`fresh_headers`), from the same function, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Response

MAX_BODY = 64 * 1024  # the largest form we accept; a one-click POST is 26 bytes

# Pages: our own stylesheet only, no script at all, never framed, forms only to us.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

# Headers every answer gets; a view may set its own DEFAULTS (/admin/preview allows SAMEORIGIN).
# Same-origin form posts keep their Referer (Flask-WTF needs it on https); tokens in our URLs
# never leave for another site.
SET_ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Robots-Tag", "noindex, nofollow"),
)
DEFAULTS = (("Content-Security-Policy", PAGE_CSP), ("X-Frame-Options", "DENY"), ("Cache-Control", "no-store"))
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def security_headers(response: Response) -> Response:
    """Flask's after_request: SET_ALWAYS replaces a view's own, DEFAULTS only fill in."""
    from flask import g

    from digest.serve.site import site

    headers = response.headers
    present = {name.lower() for name, _ in headers}  # one pass: each look-up scans them all
    for name, value in SET_ALWAYS:
        if name.lower() in present:
            headers[name] = value
    https = site().settings.public_url.startswith("https://")
    if https:
        headers.pop("Strict-Transport-Security", None)
    language = g.page_language if "page_language" in g else None
    headers.extend(_wanted(present, language, https))
    return response


def fresh_headers(language: str, https: bool) -> list[tuple[str, str]]:
    """What :func:`security_headers` adds to an answer that has none of them (a page in ``language``)."""
    return _wanted(set(), language, https)


def _wanted(present: set[str], language: str | None, https: bool) -> list[tuple[str, str]]:
    wanted = [(name, value) for name, value in SET_ALWAYS if name.lower() not in present]
    wanted += [(name, value) for name, value in DEFAULTS if name.lower() not in present]
    if "content-language" not in present and language is not None:
        wanted.append(("Content-Language", language))
    if https:
        wanted.append(HSTS)
    return wanted
