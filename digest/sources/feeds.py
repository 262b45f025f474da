"""RSS, Atom and RDF feeds (parsed by feedparser from the raw bytes and the declared charset)."""

from __future__ import annotations

from typing import Any

from digest.errors import SourceError
from digest.sources.base import Reader, Result, SourceRef, first_element
from digest.sources.decode import declared_codec, guessed_codec, header_codec
from digest.sources.entries import check_text, entry_article, read_entries
from digest.sources.fields import FieldReader
from digest.sources.text import html_to_text, normalise, strip_leftovers
from digest.types import Article

_ROOTS = ("rss", "feed", "rdf:rdf", "rdf")


def read(data: bytes, ref: SourceRef) -> Result:
    """The feed reader of the registry."""
    return parse_feed(data, ref.name, ref.content_type)


def parse_feed(data: bytes, source: str, content_type: str = "") -> Result:
    """Articles of a feed, and (entry, problem) for entries that had to be skipped."""
    import feedparser

    data, headers = _prepared(data, content_type)
    parsed = feedparser.parse(data, response_headers=headers)
    if parsed.bozo and not parsed.entries:
        reason = type(parsed.get("bozo_exception")).__name__
        raise SourceError(f"{source}: not a readable RSS or Atom feed ({reason})")
    if not parsed.entries and not parsed.get("version"):
        raise SourceError(f"{source}: not an RSS or Atom feed (no feed element found)")
    return read_entries(parsed.entries, source, lambda entry: _entry(entry, source))


READER = Reader(
    "feed",
    "an RSS/Atom feed",
    read,
    suffixes=(".xml", ".rss", ".atom", ".rdf"),
    types=("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
           "text/xml"),
    recognise=lambda data: first_element(data) in _ROOTS,
)


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
    check_text(title, text)
    html = fields.html(html)
    guid = str(entry.get("id") or "").strip() or None
    link = fields.url(entry.get("link"), "link")
    if not link and guid and entry.get("guidislink"):
        link = fields.url(guid, "guid")
    published, date_from = _date(entry, fields)
    return entry_article(
        fields, source=source, guid=guid, link=link, title=title, text=text, html=html,
        published=published, date_from=date_from, author=str(entry.get("author", "")), image=_image(entry),
    )


def _title(entry: Any) -> str:
    """Plain-text titles stay as written (``Why <script> tags break email``); HTML ones lose markup."""
    title = str(entry.get("title", ""))
    kind = str((entry.get("title_detail") or {}).get("type", "text/plain"))
    if "html" in kind:
        return html_to_text(title).strip()
    return normalise(title).replace("\n", " ")


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
