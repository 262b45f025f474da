"""JSON Feed 1.0 and 1.1 (jsonfeed.org), read like any other feed.

A JSON Feed is a JSON object with ``"version": "https://jsonfeed.org/version/1.1"``
(or ``/1``) and a list of ``items``. Each item is read through the same guards as an
RSS entry (:mod:`digest.sources.entries`, :class:`~digest.sources.fields.FieldReader`):
a link, image, date or language that cannot be used is dropped with a warning, an
item that cannot be read at all becomes a problem, and the rest go on.

Fields: ``title``; ``url``, else ``external_url``; ``content_html``, else
``content_text``, else ``summary``; ``date_published``, else ``date_modified``;
1.1's ``authors`` or 1.0's ``author`` (the feed's when the item names none);
``image``, else ``banner_image``; ``language`` (1.1; the feed's when the item has none).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from digest.errors import SourceError
from digest.sources.base import Reader, Result, SourceRef
from digest.sources.entries import check_text, entry_article, read_entries
from digest.sources.fields import FieldReader
from digest.sources.text import html_to_text, normalise, strip_leftovers
from digest.types import Article

# The version may come anywhere in the object (generators that sort keys put it last),
# and PHP's encoder writes every "/" as "\/".
_VERSION = re.compile(rb'"version"\s*:\s*"https?:(?:\\?/){2}jsonfeed\.org\\?/version\\?/')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_A_FEED = 'not a JSON Feed (no "version": "https://jsonfeed.org/version/1.1")'


def recognise(data: bytes) -> bool:
    """A JSON object that names a JSON Feed version."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" and _VERSION.search(data) is not None


def read(data: bytes, ref: SourceRef) -> Result:
    """The JSON Feed reader of the registry."""
    return parse_json_feed(data, ref.name, base=ref.url)


def parse_json_feed(data: bytes, source: str, base: str = "") -> Result:
    """Articles of a JSON Feed, and (entry, problem) for items that had to be skipped.

    ``base`` is the address the feed was fetched from; relative item addresses are
    resolved against it, else against the feed's ``home_page_url``.
    """
    feed = _document(data, source)
    items = feed.get("items")
    if items is not None and not isinstance(items, list):
        raise SourceError(f'{source}: not a readable JSON Feed ("items" is not a list)')
    home = feed.get("home_page_url")
    base = base or (home if isinstance(home, str) else "")
    return read_entries(items or [], source, lambda item: _item(item, feed, source, base))


READER = Reader(
    "json feed",
    "a JSON Feed",
    read,
    suffixes=(".json",),
    # A server's plain application/json is recognised by the content (recognise), not the label.
    types=("application/feed+json",),
    recognise=recognise,
)


def _document(data: bytes, source: str) -> dict[str, Any]:
    try:
        feed = json.loads(data)  # bytes: UTF-8 (with or without a BOM), UTF-16 or UTF-32
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{source}: not a readable JSON Feed ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:  # not Unicode, a number too long, nesting too deep
        raise SourceError(f"{source}: not a readable JSON Feed ({type(exc).__name__})") from None
    version = feed.get("version") if isinstance(feed, dict) else None
    if not isinstance(version, str) or not re.match(r"https?://jsonfeed\.org/version/", version):
        raise SourceError(f"{source}: {_NOT_A_FEED}")
    return feed


def _item(item: Any, feed: dict[str, Any], source: str, base: str) -> Article:
    if not isinstance(item, dict):
        raise SourceError(f"not a JSON object ({type(item).__name__})")
    fields = FieldReader()
    title = normalise(fields.text(item.get("title"), "title")).replace("\n", " ")
    html, text = _content(item, fields)
    check_text(title, text)
    html = fields.html(html)
    link = _address(item, "url", base, fields) or _address(item, "external_url", base, fields)
    published, date_from = _date(item, fields)
    image = _address(item, "image", base, fields) or _address(item, "banner_image", base, fields)
    return entry_article(
        fields, source=source, guid=_id(item.get("id"), fields), link=link, title=title, text=text,
        html=html, published=published, date_from=date_from, author=_authors(item) or _authors(feed),
        image=image, language=fields.language(item.get("language") or feed.get("language"), "language"),
    )


def _content(item: dict[str, Any], fields: FieldReader) -> tuple[str, str]:
    """(html, text): from ``content_html``, else the plain ``content_text``, else ``summary``."""
    html = fields.text(item.get("content_html"), "content_html")
    text = strip_leftovers(html_to_text(html))
    for key in ("content_text", "summary"):
        if text:
            break
        text = strip_leftovers(normalise(fields.text(item.get(key), key)))
    return html, text


def _id(value: Any, fields: FieldReader) -> str | None:
    """The item's id; the spec asks readers to take a number as its text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return fields.text(value, "id").strip() or None


def _address(item: dict[str, Any], key: str, base: str, fields: FieldReader) -> str:
    """``item[key]`` as an http(s) address, resolved against ``base`` when relative; ""
    (with a warning) when it cannot be used."""
    value = fields.text(item.get(key), key).strip()
    if value and base and not _SCHEME.match(value):
        try:
            value = urljoin(base, value)
        except ValueError:
            pass  # left as it is: the check below drops it
    return fields.url(value, key)


def _date(item: dict[str, Any], fields: FieldReader) -> tuple[datetime | None, str]:
    tried = set()
    for key, what in (("date_published", "published"), ("date_modified", "updated")):
        raw = item.get(key)
        if raw is None or raw == "" or str(raw) in tried:
            continue
        tried.add(str(raw))
        value = fields.date(raw, f"{what} date")
        if value:
            return value, f"feed ({what})"
    return None, ""


def _authors(source: dict[str, Any]) -> str:
    """The names in 1.1's ``authors``, else 1.0's ``author`` ("" when neither names anyone)."""
    found = source.get("authors")
    found = source.get("author") if found is None else found
    people = found if isinstance(found, list) else [found]
    names = [p.get("name") if isinstance(p, dict) else p for p in people]
    return ", ".join(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))
