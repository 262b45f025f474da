"""Render an edition into the email's subject, HTML and plain text.

The edition is rendered once and frozen in the ledger. What differs per
recipient (the unsubscribe and preferences links) is left as a marker and
filled in by :func:`personalise` at send time, or replaced by a campaign
provider's own merge tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from digest.config import Settings
from digest.errors import RenderError
from digest.links import campaign_slug, with_utm
from digest.types import Edition, EditionItem

UNSUBSCRIBE_MARK = "%%UNSUBSCRIBE_URL%%"
MANAGE_MARK = "%%MANAGE_URL%%"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


def item_context(item: EditionItem, campaign: str, zone: ZoneInfo) -> dict[str, Any]:
    article = item.article
    published = article.published.astimezone(zone) if article.published else None
    return {
        "title": article.title,
        "url": with_utm(article.url, source="newsletter", medium="email", campaign=campaign),
        "date": published.date().isoformat() if published else "",
        "author": article.author,
        "blurb": item.blurb,
        "image": article.image,
        "image_alt": article.image_alt or article.title,
    }


def email_context(edition: Edition, settings: Settings) -> dict[str, Any]:
    zone = ZoneInfo(settings.timezone)
    campaign = campaign_slug(edition.key)
    local_date = edition.issued.astimezone(zone).date()
    return {
        "org_name": settings.org_name,
        "postal_address": settings.postal_address,
        "site_url": settings.site_url,
        "language": settings.language,
        "edition_key": edition.key,
        "edition_date": local_date.isoformat(),
        "items": [item_context(i, campaign, zone) for i in edition.items],
        "more": [item_context(i, campaign, zone) for i in edition.more],
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "manage_url": MANAGE_MARK,
    }


def render_email(edition: Edition, settings: Settings, env: jinja2.Environment) -> RenderedEmail:
    """Render subject, HTML and text from one context. Raises RenderError naming the template."""
    context = email_context(edition, settings)
    try:
        html = env.get_template("email/digest.html.j2").render(context)
        text = env.get_template("email/digest.txt.j2").render(context)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "name", None) or "template"
        raise RenderError(f"{where}: {exc}; fix the template (DIGEST_TEMPLATES_DIR)") from None
    subject = f"{settings.org_name}: news digest, {context['edition_date']}"
    return RenderedEmail(subject=subject, html=html, text=text)


def personalise(body: str, *, unsubscribe_url: str, manage_url: str, is_html: bool) -> str:
    """Fill the per-recipient markers (escaped for HTML)."""
    fill = escape if is_html else (lambda s: s)
    return body.replace(UNSUBSCRIBE_MARK, fill(unsubscribe_url)).replace(MANAGE_MARK, fill(manage_url))


def now_local(settings: Settings) -> datetime:
    return datetime.now(ZoneInfo(settings.timezone))
