"""Render an edition into the email's subject, HTML and plain text.

The HTML and the text are rendered from the same context (the text is never
converted from the HTML). The edition is rendered once and frozen in the ledger;
what differs per recipient (the unsubscribe and preferences links) is left as a
marker and filled in by :func:`personalise` at send time, or replaced by a
campaign provider's own merge tag. :func:`render_email` takes a language, so a
sender can render once per subscriber language.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import css_inline
import jinja2

from digest.config import Settings
from digest.errors import RenderError
from digest.language import text_language
from digest.links import campaign_slug, with_utm
from digest.render.env import env_language, template_env
from digest.render.i18n import (
    FONT_STACKS,
    N_,
    WORD_BREAK,
    check_language,
    long_date,
    translations,
)
from digest.render.marks import MANAGE_MARK, UNSUBSCRIBE_MARK, fill_links
from digest.render.safe import ALT_MAX, BLURB_MAX, TITLE_MAX, article_image, plain, safe_url
from digest.types import Article, Edition, EditionItem

HTML_TEMPLATE = "email/digest.html.j2"
TEXT_TEMPLATE = "email/digest.txt.j2"
PREHEADER_MAX = 140
DEFAULT_SUBJECT = N_("%(org_name)s: news digest, %(date)s")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    language: str = "en"

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


def item_context(
    item: EditionItem, campaign: str, zone: ZoneInfo, site_url: str, lang: str
) -> dict[str, Any]:
    """One article, every field made safe (see digest.render.safe); ``site_url`` stands in for
    an article link that is not safe."""
    article = item.article
    title = plain(article.title, TITLE_MAX)
    link = safe_url(article.url) or site_url
    image, alt = article_image(article.image, article.image_alt, article.html)
    published = article.day(zone)  # a date written without a time stays that day
    blurb = plain(item.blurb, BLURB_MAX)
    return {
        "lang": text_language(title + " " + blurb, lang),
        "title": title,
        "url": with_utm(link, source="newsletter", medium="email", campaign=campaign),
        "date": long_date(published, lang) if published else "",
        "date_iso": published.isoformat() if published else "",
        "author": plain(article.author, TITLE_MAX),
        "blurb": blurb,
        "image": image,
        "image_alt": plain(alt or title, ALT_MAX),
        "also": [also_context(a, campaign) for a in item.also if safe_url(a.url)],
    }


def also_context(article: Article, campaign: str) -> dict[str, str]:
    """The same story from another source, merged into an entry: its site's name and link."""
    link = safe_url(article.url)
    try:
        host = (urlsplit(link).hostname or "").removeprefix("www.")
    except ValueError:
        host = ""
    return {
        "name": plain(host or article.source, TITLE_MAX),
        "url": with_utm(link, source="newsletter", medium="email", campaign=campaign),
    }


def email_context(edition: Edition, settings: Settings, language: str | None = None) -> dict[str, Any]:
    """Everything the templates see. Documented for staff in docs/email.md ('Your own templates')."""
    lang = check_language(language or settings.language)
    zone = ZoneInfo(settings.timezone)
    campaign = campaign_slug(edition.key)
    issued = edition.issued.astimezone(zone).date()
    items = [item_context(i, campaign, zone, settings.site_url, lang) for i in edition.items]
    more = [item_context(i, campaign, zone, settings.site_url, lang) for i in edition.more]
    context: dict[str, Any] = {
        "lang": lang,
        "language": lang,
        "font_family": FONT_STACKS[lang],
        "word_break": WORD_BREAK[lang],
        "org_name": settings.org_name,
        "postal_address": settings.postal_address,
        "site_url": settings.site_url,
        "logo_url": safe_url(settings.logo_url),
        # The volunteer's own texts in this email's language (DIGEST_INTRO_KO, ...), never another's.
        "intro": settings.localised("intro", lang),
        "footer_reason": settings.localised("footer_reason", lang),
        "edition_key": edition.key,
        "edition_date": long_date(issued, lang),
        "edition_date_iso": issued.isoformat(),
        "items": items,
        "more": more,
        "count": len(items) + len(more),
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "manage_url": MANAGE_MARK,
        "view_url": view_url(getattr(settings, "public_url", ""), edition.key),
    }
    context["preheader"] = preheader(context)
    context["subject"] = subject_for(settings.localised("subject", lang), context)
    return context


def view_url(public_url: str, edition_key: str) -> str:
    """The edition in the archive of `digest serve` ("view in browser"); empty without DIGEST_PUBLIC_URL."""
    from urllib.parse import quote

    return f"{public_url}/archive/{quote(edition_key, safe='')}" if public_url else ""


def preheader(context: dict[str, Any]) -> str:
    """The inbox snippet: the intro, else the first titles."""
    text = " ".join((context["intro"] or " · ".join(i["title"] for i in context["items"][:3])).split())
    return text if len(text) <= PREHEADER_MAX else text[: PREHEADER_MAX - 1].rstrip() + "…"


def subject_for(template: str, context: dict[str, Any]) -> str:
    """DIGEST_SUBJECT (``template``) filled in, else the default subject in the email's language; one line."""
    values = {
        "org_name": context["org_name"],
        "date": context["edition_date"],
        "count": context["count"],
        "edition": context["edition_key"],
    }
    if template:
        subject = template.format_map(values)
    else:
        subject = translations(context["lang"]).gettext(DEFAULT_SUBJECT) % values
    return " ".join(subject.split())


def render_email(
    edition: Edition,
    settings: Settings,
    env: jinja2.Environment | None = None,
    *,
    language: str | None = None,
) -> RenderedEmail:
    """Render subject, HTML (CSS inlined) and text from one context.

    ``language`` (en or ko) defaults to DIGEST_LANGUAGE. ``env`` is reused only if it
    was built for that language (its catalog decides the template strings). Raises
    RenderError naming the template and the problem (an undefined variable, a syntax error).
    """
    context = email_context(edition, settings, language)
    if env is None or env_language(env) != context["lang"]:
        env = template_env(settings.templates_dir, context["lang"], data_dir=settings.data_dir)
    try:
        html = env.get_template(HTML_TEMPLATE).render(context)
        text = env.get_template(TEXT_TEMPLATE).render(context)
    except jinja2.TemplateError as exc:
        raise RenderError(describe_template_error(exc)) from None
    html = inline_css(html)
    return RenderedEmail(subject=context["subject"], html=html, text=text, language=context["lang"])


def describe_template_error(exc: jinja2.TemplateError) -> str:
    """One line naming the template file and line: from the error, else from the traceback
    (Jinja puts template frames in it, which is the only place an UndefinedError says where)."""
    where = getattr(exc, "name", None) or getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if not where:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        if frames:
            where, line = frames[-1].filename, frames[-1].lineno
    at = f"{where or 'template'}, line {line}" if line else (where or "template")
    return f"{at}: {exc.message or exc}; fix the template (DIGEST_TEMPLATES_DIR)"


def inline_css(html: str) -> str:
    """Move the <style> rules into style attributes; keep @media (phones, dark mode) in <style>."""
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    try:
        return inliner.inline(html)
    except (ValueError, css_inline.InlineError) as exc:
        raise RenderError(f"CSS could not be inlined ({exc}); fix the <style> in the template") from None


def personalise(body: str, *, unsubscribe_url: str, manage_url: str, is_html: bool) -> str:
    """Fill the per-recipient markers (escaped for HTML)."""
    fill = escape if is_html else (lambda s: s)
    return fill_links(body, fill(unsubscribe_url), fill(manage_url))
