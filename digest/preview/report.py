"""What the preview checks in the rendered email, and the report it writes.

``errors`` block a send (exit status non-zero); ``warnings`` are shown but do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jinja2
import lxml.html
from lxml import etree

from digest.config import Settings
from digest.protect import Hit
from digest.render.email import HTML_TEMPLATE, TEXT_TEMPLATE, RenderedEmail, email_context
from digest.render.env import template_env
from digest.types import Edition, Post

_EVENT_ATTR_PREFIX = "on"
_FORBIDDEN_TAGS = ("script", "iframe", "object", "embed", "frame", "form", "base")


@dataclass
class HtmlFacts:
    links: list[dict[str, str]] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)

    @property
    def images_without_alt(self) -> list[str]:
        return [i["src"] for i in self.images if i["alt"] is None]


def html_facts(html: str) -> HtmlFacts:
    """Every link and image of the email, and anything active that must never be in an email."""
    facts = HtmlFacts()
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        facts.unsafe.append("the HTML could not be parsed")
        return facts
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "a" and element.get("href") is not None:
            text = " ".join(element.text_content().split())
            facts.links.append({"url": element.get("href", ""), "text": text})
        elif tag == "img":
            facts.images.append({"src": element.get("src", ""), "alt": element.get("alt")})  # type: ignore[dict-item]
        facts.unsafe += _unsafe(element, tag)
    return facts


def _unsafe(element: Any, tag: str) -> list[str]:
    found = []
    if tag in _FORBIDDEN_TAGS:
        found.append(f"<{tag}> element")
    if tag == "link" and "stylesheet" in element.get("rel", "").lower():
        found.append(f"remote stylesheet {element.get('href', '')}")
    for name, value in element.attrib.items():
        if name.lower().startswith(_EVENT_ATTR_PREFIX):
            found.append(f"event handler {name} on <{tag}>")
        if name.lower() in ("href", "src") and value.strip().lower().startswith(("javascript:", "data:")):
            found.append(f"{value.strip()[:30]} address on <{tag}>")
    return found


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
    render_error: str,
    hits: list[Hit],
    posts: list[Post],
    social_note: str,
    undefined: list[str],
) -> dict[str, Any]:
    """The report.json content, with ``errors``, ``warnings`` and the overall ``ok``.

    Sizes are of the frozen HTML (what the send checks); links and images are read
    from ``shown_html``, the HTML as the preview recipient gets it.
    """
    facts = html_facts(shown_html) if rendered else HtmlFacts()
    html_bytes = rendered.html_bytes if rendered else 0
    errors, warnings = _problems(settings, edition, html_bytes, facts, render_error, hits, posts, undefined)
    return {
        "ok": not errors,
        "errors": errors,
        "warnings": warnings,
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


def _problems(
    settings: Settings, edition: Edition, html_bytes: int, facts: HtmlFacts, render_error: str,
    hits: list[Hit], posts: list[Post], undefined: list[str],
) -> tuple[list[str], list[str]]:
    """(errors, warnings): errors make the preview exit non-zero and stop a send."""
    errors: list[str] = []
    warnings: list[str] = []
    if render_error:
        errors.append(f"the email could not be rendered: {render_error}")
    errors += [f"undefined template variable {n!r}" for n in undefined]
    errors += [f"protected term {h.term!r} in {h.where}" for h in hits]
    errors += [f"image without alt text: {src}" for src in facts.images_without_alt]
    errors += [f"unsafe content in the email: {u}" for u in facts.unsafe]
    if html_bytes > settings.html_budget:
        warnings.append(
            f"the HTML is {html_bytes:,} bytes, over DIGEST_HTML_BUDGET ({settings.html_budget:,}); "
            "Gmail cuts it off and digest send refuses it unless --allow-large"
        )
    for post in posts:
        errors += [f"{post.platform} post for {post.article_title!r}: {e}" for e in post.errors]
        if post.used > post.limit and not post.errors:
            errors.append(f"{post.platform} post for {post.article_title!r} is {post.used}/{post.limit}")
    if not edition.items:
        warnings.append("no new articles: digest send would skip this edition")
    # fields the sources dropped (a bad link, image or date) and articles linking to the homepage
    for article in edition.articles:
        warnings += [f"article {article.title!r}: {w}" for w in article.warnings]
    plain_http = [link["url"] for link in facts.links if link["url"].startswith("http:")]
    warnings += [f"link is not https: {url}" for url in plain_http]
    return errors, warnings
