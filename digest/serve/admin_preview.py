"""/admin/preview: the next edition's preview dashboard (what `digest preview` writes), for
the /admin page to show in an iframe. Built on each request for the current period; sends nothing.

The dashboard has one inline script (the dark-mode toggle and iframe sizing) and the email's own
inline styles, so this one route gets its own policy: that script by its hash and nothing else,
inline styles, images the email links, framed only by our own pages.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tempfile
from datetime import datetime
from pathlib import Path

from werkzeug.wrappers import Response

from digest import clock
from digest.compose.linkcheck import LinkCache
from digest.config import Settings
from digest.store import Engine

_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def preview_html(
    settings: Settings, engine: Engine, now: datetime | None = None, links: LinkCache | None = None
) -> str:
    """The preview dashboard's index.html for the period `digest preview` would show (``links``:
    the link check's answers kept from the last visits)."""
    from digest.preview import build_preview
    from digest.store.ledger import Ledger

    with tempfile.TemporaryDirectory(prefix="digest-admin-preview-") as folder:
        out = Path(folder)
        build_preview(settings, Ledger(engine), out, now=now or clock.now(), links=links)
        return (out / "index.html").read_text(encoding="utf-8")


def policy(html: str) -> str:
    """A CSP for ``html``: its own inline scripts by hash only, no other script."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src {hashes or chr(39) + 'none' + chr(39)}; "
        "style-src 'unsafe-inline'; img-src 'self' data: https:; form-action 'none'; "
        "frame-ancestors 'self'; base-uri 'none'"
    )


def response(html: str) -> Response:
    answer = Response(html, status=200, mimetype="text/html")
    answer.headers["Content-Security-Policy"] = policy(html)
    answer.headers["X-Frame-Options"] = "SAMEORIGIN"  # the /admin page frames it; nothing else may
    return answer
