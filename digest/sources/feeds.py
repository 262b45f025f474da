"""RSS, Atom and RDF feeds (parsed by feedparser from the raw bytes and the declared charset)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from digest.errors import SourceError
from digest.sources.decode import declared_codec, guessed_codec, header_codec
from digest.sources.fields import FieldReader
from digest.sources.registry import SourceRef
from digest.sources.text import html_to_text, normalise, strip_leftovers
from digest.types import Article, article_identity

log = logging.getLogger(__name__)


def read(data: bytes, ref: SourceRef) -> tuple[list[Article], list[tuple[str, str]]]:
    """The feed reader of the registry."""
    return parse_feed(data, ref.name, ref.content_type)


def parse_feed(
    data: bytes, source: str, content_type: str = ""
) -> tuple[list[Article], list[tuple[str, str]]]:
    """Articles of a feed, and (entry, problem) for entries that had to be skipped."""
    import feedparser

    data, headers = _prepared(data, content_type)
    parsed = feedparser.parse(data, response_headers=headers)
    if parsed.bozo and not parsed.entries:
        reason = type(parsed.get("bozo_exception")).__name__
        raise SourceError(f"{source}: not a readable RSS or Atom feed ({reason})")
    if not parsed.entries and not parsed.get("version"):
        raise SourceError(f"{source}: not an RSS or Atom feed (no feed element found)")
    articles: list[Article] = []
    problems: list[tuple[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for n, entry in enumerate(parsed.entries, 1):
        where = f"{source} entry {n}"
        try:
            article = _entry(entry, source)
        except SourceError as exc:
            problems.append((where, str(exc)))
            continue
        except Exception as exc:  # untrusted input: one entry never stops the feed
            log.warning("feed entry %s could not be read", where, exc_info=True)
            problems.append((where, f"could not be read ({type(exc).__name__})"))
            continue
        same = (article.url.partition("#")[0], article.title, article.text)
        if article.id.startswith("guid:") or same not in seen:
            seen.add(same)
            articles.append(article)
    return articles, problems


def _prepared(data: bytes, content_type: str) -> tuple[bytes, dict[str, str]]:
    """The bytes and headers feedparser needs to decode as the server and the feed declare.

    feedparser honours a BOM, an HTTP charset and the XML declaration; a feed that
    declares nothing and is not UTF-8 is transcoded from charset-normalizer's guess.
    """
    codec = header_codec(content_type)
    if codec:
        return data, {"content-type": f"application/xml; charset={codec}"}
    if declared_codec(data, "")[0] is None:
        guess = guessed_codec(data)
        if guess != "utf-8":
            data = data.decode(guess, errors="replace").encode("utf-8")
    return data, {"content-type": "application/xml"}


def _entry(entry: Any, source: str) -> Article:
    fields = FieldReader()
    title = _title(entry)
    html = ""
    if entry.get("content"):
        html = max((str(c.get("value", "")) for c in entry.content), key=len)
    html = html or str(entry.get("summary", ""))
    text = strip_leftovers(html_to_text(html))
    if not title and not text:
        raise SourceError("the entry has neither a title nor text")
    if not text:
        raise SourceError(f"{title!r} has no text")
    html = fields.html(html)
    guid = str(entry.get("id") or "").strip() or None
    link = fields.url(entry.get("link"), "link")
    if not link and guid and entry.get("guidislink"):
        link = fields.url(guid, "guid")
    published, date_from = _date(entry, fields)
    if not link:
        fields.warnings.append("no link; it links to the homepage (DIGEST_SITE_URL)")
    return Article(
        id=_identity(guid, link, title, text),
        title=title or text[:80],
        url=link,
        text=text,
        html=html,
        source=source,
        published=published,
        author=str(entry.get("author", "")),
        image=fields.url(_image(entry), "image"),
        date_from=date_from,
        url_from="feed" if link else "homepage",
        warnings=tuple(fields.warnings),
    )


def _title(entry: Any) -> str:
    """Plain-text titles stay as written (``Why <script> tags break email``); HTML ones lose markup."""
    title = str(entry.get("title", ""))
    kind = str((entry.get("title_detail") or {}).get("type", "text/plain"))
    if "html" in kind:
        return html_to_text(title).strip()
    return normalise(title).replace("\n", " ")


def _identity(guid: str | None, link: str, title: str, text: str) -> str:
    """The guid, else the link: with its #fragment, since feeds without guids point at anchors.

    Two entries of one page (``/live#update-1``, ``/live#update-2``) are different
    articles; dropping the fragment would merge them and mark the second "already sent".
    """
    identity = article_identity(guid, link or None, title, text)
    fragment = urlsplit(link).fragment if link and not guid else ""
    return f"{identity}#{fragment}" if fragment else identity


def _date(entry: Any, fields: FieldReader) -> tuple[Any, str]:
    tried = set()
    for key, where in (("published", "feed (published)"), ("updated", "feed (updated)")):
        # dict.get: feedparser's own get() maps a missing "published" to "updated", with a warning
        raw = str(dict.get(entry, key) or "")
        parsed = dict.get(entry, f"{key}_parsed")
        if (not raw and not parsed) or raw in tried:
            continue
        tried.add(raw)
        value = fields.struct_date(parsed, raw, f"{key} date")
        if value:
            return value, where
    return None, ""


def _image(entry: Any) -> str:
    for media in entry.get("media_content", []) or []:
        if media.get("url") and media.get("medium", "image") == "image":
            return str(media["url"])
    for thumb in entry.get("media_thumbnail", []) or []:
        if thumb.get("url"):
            return str(thumb["url"])
    for link in entry.get("links", []) or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href", ""))
    return ""
