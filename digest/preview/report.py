"""What the preview checks in the rendered email, and the report it writes.

Every finding has the severity `digest send` gives it (digest.compose.findings): ``errors`` are
what blocks the send (the preview exits non-zero), ``warnings`` what is only reported.
"""

from __future__ import annotations

from typing import Any

import jinja2

from digest.compose import findings
from digest.compose.checks import HtmlFacts, email_findings, html_facts, post_findings
from digest.compose.findings import BLOCKS, REPORTED, Finding, blocking, reported
from digest.config import Settings
from digest.protect import Hit
from digest.render.email import HTML_TEMPLATE, TEXT_TEMPLATE, RenderedEmail, email_context
from digest.render.env import template_env
from digest.types import Edition, Post


def undefined_names(edition: Edition, settings: Settings, language: str) -> list[str]:
    """Every variable the templates use that the context does not define (all at once, not just the first)."""
    names: list[str] = []

    class Recording(jinja2.ChainableUndefined):
        # Record on every use StrictUndefined would refuse; `is defined` tests never reach these.
        def _note(self) -> None:
            names.append(self._undefined_name or "?")

        def __str__(self) -> str:
            self._note()
            return ""

        def __iter__(self):  # type: ignore[no-untyped-def]
            self._note()
            return iter(())

        def __bool__(self) -> bool:
            self._note()
            return False

        def __len__(self) -> int:
            self._note()
            return 0

    env = template_env(settings.templates_dir, language, undefined=Recording)
    context = email_context(edition, settings, language)
    for name in (HTML_TEMPLATE, TEXT_TEMPLATE):
        try:
            env.get_template(name).render(context)
        except jinja2.TemplateError:
            pass  # a syntax error is reported by the real render
    return sorted(set(names))


def build_report(
    settings: Settings,
    *,
    edition: Edition,
    rendered: RenderedEmail | None,
    shown_html: str,
    found: list[Finding],
    hits: list[Hit],
    posts: list[Post],
    social_note: str,
    undefined: list[str],
) -> dict[str, Any]:
    """The report.json content: the ``findings`` (each with its severity), ``errors`` (what blocks
    the send) and ``warnings`` (what is only reported) in words, and the overall ``ok``.

    Sizes are of the frozen HTML (what the send checks); links and images are read
    from ``shown_html``, the HTML as the preview recipient gets it.
    """
    facts = html_facts(shown_html) if rendered else HtmlFacts()
    html_bytes = rendered.html_bytes if rendered else 0
    return {
        "ok": not blocking(found),
        "errors": [f.line() for f in blocking(found)],
        "warnings": [f.line() for f in reported(found)],
        "findings": [f.as_dict() for f in found],
        "html_bytes": html_bytes,
        "html_budget": settings.html_budget,
        "text_bytes": len(rendered.text.encode()) if rendered else 0,
        "links": facts.links,
        "images": facts.images,
        "images_without_alt": facts.images_without_alt,
        "protected_terms": [{"term": h.term, "where": h.where, "excerpt": h.excerpt} for h in hits],
        "social": [
            {"platform": p.platform, "article": p.article_title, "used": p.used, "limit": p.limit,
             "ok": p.used <= p.limit and not p.errors}
            for p in posts
        ],
        "social_note": social_note,
        "undefined_variables": undefined,
    }


def edition_findings(
    settings: Settings, edition: Edition, rendered: RenderedEmail | None, *, shown_html: str,
    render_error: str, email_hits: list[Hit], posts: list[Post], undefined: list[str],
) -> list[Finding]:
    """Every finding of the edition as `digest send` would freeze it, with the same severity the
    send gives it (see digest.compose.findings), plus what only a preview looks at."""
    found: list[Finding] = []
    if render_error:
        found.append(Finding(BLOCKS, "render", f"the email could not be rendered: {render_error}"))
    found += [Finding(BLOCKS, "render", f"undefined template variable {n!r}",
                      "correct its name in your template, or remove it") for n in undefined]
    if rendered is not None:
        found += email_findings(settings, rendered, email_hits, html=shown_html)
    found += post_findings(settings, posts)
    if not edition.items:
        found.append(Finding(REPORTED, "empty", "no new articles: digest send would skip this edition"))
    return found + findings.articles(edition.articles)
