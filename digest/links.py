"""Link helpers shared by the email and the social posts."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def campaign_slug(edition_key: str) -> str:
    """``weekly:2026-W48`` -> ``weekly-2026-w48``: safe in URLs and file names."""
    return re.sub(r"[^a-z0-9]+", "-", edition_key.lower()).strip("-")


def with_utm(url: str, *, source: str, medium: str, campaign: str) -> str:
    """Add (or replace) UTM parameters, keeping every other query parameter."""
    if not url.startswith(("http://", "https://")):
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
