"""Article pages: the main text extracted by trafilatura (menus, ads and credits dropped)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import trafilatura

from digest.errors import SourceError
from digest.sources.text import normalise
from digest.types import Article, article_identity


def article_from_html(html: str, *, url: str, source: str, fallback_title: str = "") -> Article:
    """Extract one article from a page. Raises SourceError when no main text is found."""
    doc = trafilatura.bare_extraction(
        html,
        url=url or None,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
        favor_precision=True,
    )
    data: dict[str, Any] = {} if doc is None else doc if isinstance(doc, dict) else doc.as_dict()
    if not str(data.get("text") or "").strip():
        raise SourceError(f"{source}: no article text found on the page")
    text = normalise(str(data["text"]))
    title = str(data.get("title") or fallback_title or "").strip()
    if not title:
        raise SourceError(f"{source}: the page has no title")
    canonical = str(data.get("url") or url or "").strip()
    return Article(
        id=article_identity(None, canonical or None, title, text),
        title=title,
        url=canonical,
        text=text,
        source=source,
        published=_date(data.get("date")),
        author=str(data.get("author") or "").strip(),
        image=str(data.get("image") or "").strip(),
    )


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
