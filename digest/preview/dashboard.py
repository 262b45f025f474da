"""The preview dashboard (index.html): the email in two widths, the text part, posts, warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from digest.types import Post

_HERE = Path(__file__).resolve().parent


def render_dashboard(
    *,
    report: dict[str, Any],
    subject: str,
    edition_key: str,
    lang: str,
    email_html: str,
    email_text: str,
    posts: list[Post],
    social_note: str,
    period_note: str,
    notes: list[str],
    built_at: str,
) -> str:
    """index.html. Everything is escaped; the email goes into iframes as srcdoc (same origin, so the
    dark-mode toggle can reach it) and never runs scripts of its own (it has none)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("dashboard.html.j2").render(
        report=report,
        subject=subject,
        edition_key=edition_key,
        lang=lang,
        email_html=email_html,
        email_text=email_text,
        posts=posts,
        social_note=social_note,
        period_note=period_note,
        notes=notes,
        built_at=built_at,
    )
