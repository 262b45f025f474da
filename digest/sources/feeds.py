"""RSS and Atom feeds (parsed by feedparser)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser

from digest.errors import SourceError
from digest.sources.text import html_to_text, strip_leftovers
from digest.types import Article, article_identity


def looks_like_feed(data: bytes, content_type: str = "") -> bool:
    if any(t in content_type for t in ("rss", "atom", "xml")) and "html" not in content_type:
        return True
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")


def parse_feed(data: bytes, source: str) -> tuple[list[Article], list[tuple[str, str]]]:
    """Articles of a feed, and (entry, problem) for entries that had to be skipped."""
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        reason = type(parsed.get("bozo_exception")).__name__
        raise SourceError(f"{source}: not a readable RSS or Atom feed ({reason})")
    articles: list[Article] = []
    problems: list[tuple[str, str]] = []
    for n, entry in enumerate(parsed.entries, 1):
        try:
            articles.append(_entry(entry, source))
        except SourceError as exc:
            problems.append((f"{source} entry {n}", str(exc)))
    return articles, problems


def _entry(entry: Any, source: str) -> Article:
    title = html_to_text(str(entry.get("title", ""))).strip()
    html = ""
    if entry.get("content"):
        html = max((c.get("value", "") for c in entry.content), key=len)
    html = html or str(entry.get("summary", ""))
    text = strip_leftovers(html_to_text(html))
    if not title and not text:
        raise SourceError("entry has neither a title nor text")
    if not text:
        raise SourceError(f"{title!r} has no text")
    link = str(entry.get("link", ""))
    guid = entry.get("id") or None
    image, alt = _image(entry)
    return Article(
        id=article_identity(guid, link or None, title, text),
        title=title or text[:80],
        url=link,
        text=text,
        html=html,
        source=source,
        published=_date(entry),
        author=str(entry.get("author", "")),
        image=image,
        image_alt=alt,
    )


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _image(entry: Any) -> tuple[str, str]:
    for media in entry.get("media_content", []) or []:
        if media.get("url") and media.get("medium", "image") == "image":
            return str(media["url"]), ""
    for thumb in entry.get("media_thumbnail", []) or []:
        if thumb.get("url"):
            return str(thumb["url"]), ""
    for link in entry.get("links", []) or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href", "")), ""
    return "", ""
