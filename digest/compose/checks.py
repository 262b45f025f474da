"""The checks an edition goes through before it may be frozen or sent, as findings that block the
send or are only reported (:mod:`digest.compose.findings`).

A protected name anywhere in what would go out (an article, a setting printed in the email or
its headers, a social post) stops the send with exit status 3; an email over DIGEST_HTML_BUDGET
stops it unless DIGEST_ALLOW_LARGE is set, and so does active content in the email's HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from digest.compose import findings
from digest.compose.findings import BLOCKS, REPORTED, Finding
from digest.compose.placeholders import placeholders, visible_text
from digest.config import Settings
from digest.guard import Surface, check, email_surfaces, header_surfaces
from digest.protect import Hit
from digest.render.email import RenderedEmail
from digest.types import Edition, Post


def check_protected(settings: Settings, edition: Edition, rendered: RenderedEmail) -> list[Hit]:
    """Every protected-term occurrence in the email, attributed to an article or setting where possible.

    Each article's fields that reach the email are checked on their own (so the
    error can name the article), then the settings printed in the email or put in
    its headers (From, Reply-To, the unsubscribe address), then the whole rendered
    subject, text and HTML (visible text and attribute values) for anything a
    template adds.
    """
    terms = settings.protected_terms()
    if not terms.terms:
        return []
    hits = check(terms, [*article_surfaces(edition), *_printed_settings(settings)])
    found = {h.term for h in hits}
    for hit in check(terms, email_surfaces(rendered.subject, rendered.html, rendered.text)):
        if hit.term not in found:
            hits.append(hit)
            found.add(hit.term)
    return hits


def article_surfaces(edition: Edition) -> list[Surface]:
    """What of each article may reach the email: title, blurb, author, link, image and its alt text."""
    surfaces: list[Surface] = []
    for item in edition.items + edition.more:
        a = item.article
        label = f"article {a.title!r}"
        surfaces += [
            (label, "text", "\n".join((a.title, item.blurb, a.author, a.image_alt, _html_image_alt(a.html)))),
            (label, "url", a.url),
            (label, "url", a.image),
        ]
    return surfaces


def check_posts(settings: Settings, posts: list[Post]) -> list[Hit]:
    """Protected-term occurrences in social posts, naming the platform and the article."""
    return check(settings.protected_terms(), [
        (f"the {post.platform} post for article {post.article_title!r}", "text", post.text) for post in posts
    ])


def _printed_settings(settings: Settings) -> list[Surface]:
    printed = [
        ("DIGEST_ORG_NAME", settings.org_name),
        ("DIGEST_POSTAL_ADDRESS", settings.postal_address),
        *settings.localised_settings(),  # DIGEST_SUBJECT, DIGEST_INTRO_KO, ...
    ]
    return [*header_surfaces(settings), *((f"setting {key}", "text", value) for key, value in printed),
            ("setting DIGEST_LOGO_URL", "url", settings.logo_url)]


def _html_image_alt(html: str) -> str:
    """The alt text the email may take from the article's own HTML (its first image)."""
    from digest.render.safe import first_image

    return " ".join(first_image(html))


def refuse_protected(hits: list[Hit]) -> None:
    """Stop before anything is sent when a protected term would go out (exit status 3), naming every
    (term, place) pair, up to five, so staff can fix them all at once."""
    findings.refuse(findings.protected(hits))


def email_findings(
    settings: Settings, rendered: RenderedEmail, hits: list[Hit], html: str = ""
) -> list[Finding]:
    """What blocks the email, or is only reported, once rendered: its protected terms (``hits``), its
    size, and active content or images without alt text in ``html`` (the rendered HTML by default;
    the preview passes the HTML as a subscriber gets it)."""
    facts = html_facts(html or rendered.html)
    return [
        *findings.protected(hits),
        *findings.size(rendered.html_bytes, settings.html_budget, settings.allow_large),
        *(Finding(BLOCKS, "unsafe", f"unsafe content in the email: {u}", "remove it from your template")
          for u in facts.unsafe),
        *(Finding(REPORTED, "alt", f"image without alt text: {src}", "give it an alt text in your template")
          for src in facts.images_without_alt),
        *(Finding(REPORTED, "link", f"link is not https: {url}")  # once, however often it is linked
          for url in dict.fromkeys(link["url"] for link in facts.links if link["url"].startswith("http:"))),
        *placeholders([("the email's subject", rendered.subject), ("the email", rendered.text),
                       ("the email", visible_text(html or rendered.html))]),
    ]


def post_findings(settings: Settings, posts: list[Post]) -> list[Finding]:
    """A protected term in a post blocks (the post would go out with the email); any other problem
    of a post is reported, as the post waits for an edit in the queue."""
    left = placeholders((f"the {p.platform} post for {p.article_title!r}", p.text) for p in posts)
    return findings.protected(check_posts(settings, posts)) + left + findings.posts(posts)


def social_findings(settings: Settings, edition: Edition) -> list[Finding]:
    """:func:`post_findings` of the posts this edition would make (none when no platform is on)."""
    if not settings.social_platforms:
        return []
    from digest.social.compose import posts_for_edition

    return post_findings(settings, posts_for_edition(edition, settings))


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
    import lxml.html
    from lxml import etree

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


_FORBIDDEN_TAGS = ("script", "iframe", "object", "embed", "frame", "form", "base")


def _unsafe(element: Any, tag: str) -> list[str]:
    found = []
    if tag in _FORBIDDEN_TAGS:
        found.append(f"<{tag}> element")
    if tag == "link" and "stylesheet" in element.get("rel", "").lower():
        found.append(f"remote stylesheet {element.get('href', '')}")
    for name, value in element.attrib.items():
        if name.lower().startswith("on"):
            found.append(f"event handler {name} on <{tag}>")
        if name.lower() in ("href", "src") and value.strip().lower().startswith(("javascript:", "data:")):
            found.append(f"{value.strip()[:30]} address on <{tag}>")
    return found
