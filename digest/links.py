"""Link helpers shared by the sources, the email and the social posts."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

URL_MAX = 2048


def campaign_slug(edition_key: str) -> str:
    """``weekly:2026-W48`` -> ``weekly-2026-w48``: safe in URLs and file names."""
    return re.sub(r"[^a-z0-9]+", "-", edition_key.lower()).strip("-")


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable absolute http(s) address, or None when it is.

    Checks what the later stages do to a link (split it, read its port, encode its
    host for IDNA), so an address that passes never raises further down the line.
    """
    if not url:
        return "empty"
    if len(url) > URL_MAX:
        return f"longer than {URL_MAX} characters"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it validates the port)
    except ValueError as exc:
        return f"malformed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) address"
    host = parts.hostname or ""
    if not host:
        return "has no host name"
    problem = _host_problem(host)
    if problem is None and not parts.netloc.isascii():
        try:  # the social posts encode the whole netloc (user info and port included)
            parts.netloc.encode("idna")
        except UnicodeError:
            return "the address is not a valid international domain name"
    return problem


def _host_problem(host: str) -> str | None:
    if ":" in host:  # an IPv6 literal, already checked by urlsplit
        return None
    labels = host.rstrip(".").split(".")
    if any(not label for label in labels):
        return "the host name has an empty label"
    if not host.isascii():
        try:
            host.encode("idna")
        except UnicodeError:
            return "the host name is not a valid international domain name"
    if any(len(label) > 63 for label in labels) or len(host) > 253:
        return "the host name is too long"
    if not all(re.fullmatch(r"[\w-]+", label) for label in labels):
        return "the host name has characters a domain cannot have"
    return None


def with_utm(url: str, *, source: str, medium: str, campaign: str) -> str:
    """Add (or replace) UTM parameters, keeping every other query parameter.

    A link that is not a usable web address is returned unchanged: the caller
    decides whether to show it, and one bad link never stops an edition.
    """
    if not url.startswith(("http://", "https://")) or url_problem(url):
        return url
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in {"utm_source", "utm_medium", "utm_campaign"}
    ]
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    path = parts.path or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), parts.fragment))
