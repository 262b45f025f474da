"""What a page says about itself in its metadata: dates, titles, image, generator.

Dates come from metadata only (``<meta>``, JSON-LD, ``<time datetime>``), never
from the body text, where a date is as likely an event's as the article's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# <meta> names and properties of a publication date, most specific first.
_PUBLISHED = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "pubdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "sailthru.date",
    "parsely-pub-date",
)
_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
_JSON_LD_MAX = 200_000


@dataclass
class PageMeta:
    og_title: str = ""
    h1: str = ""
    title_tag: str = ""
    generator: str = ""
    site_name: str = ""
    image: str = ""
    canonical: str = ""
    # (value, where it was found), in order of preference
    dates: list[tuple[str, str]] = field(default_factory=list)


def parse_page(html: str) -> Any | None:
    """The page's lxml tree, or None when it cannot be parsed."""
    import lxml.html
    from lxml import etree

    # lxml refuses text that still carries an XML declaration with an encoding
    html = re.sub(r"\A\s*<\?xml[^>]*\?>", "", html)
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def page_metadata(root: Any | None) -> PageMeta:
    """Read the metadata of a parsed page; an unparseable page (None) gives an empty PageMeta."""
    if root is None:
        return PageMeta()
    metas = _metas(root)
    meta = PageMeta(
        og_title=metas.get("og:title", "") or metas.get("twitter:title", ""),
        h1=_text(root.find(".//h1")),
        title_tag=_text(root.find(".//title")),
        generator=metas.get("generator", ""),
        site_name=metas.get("og:site_name", ""),
        image=metas.get("og:image", "") or metas.get("twitter:image", ""),
        canonical=_canonical(root),
    )
    meta.dates = _dates(root, metas)
    return meta


def _metas(root: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _canonical(root: Any) -> str:
    for el in root.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split():
            return (el.get("href") or "").strip()
    return ""


def _text(el: Any) -> str:
    return " ".join(el.text_content().split()) if el is not None else ""


def _dates(root: Any, metas: dict[str, str]) -> list[tuple[str, str]]:
    dates = [(metas[k], f"<meta {k}>") for k in _PUBLISHED if metas.get(k)]
    dates += [(v, "JSON-LD datePublished") for v in _json_ld(root, "datePublished")]
    for el in root.iter("time"):
        value = (el.get("datetime") or "").strip()
        if value:
            dates.append((value, "<time datetime>"))
            break
    dates += [(metas[k], f"<meta {k}>") for k in _MODIFIED if metas.get(k)]
    dates += [(v, "JSON-LD dateModified") for v in _json_ld(root, "dateModified")]
    return dates


def _json_ld(root: Any, key: str) -> list[str]:
    values: list[str] = []
    for el in root.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json" or not el.text:
            continue
        if len(el.text) > _JSON_LD_MAX:
            continue
        try:
            data = json.loads(el.text)
        except ValueError:
            continue
        _collect(data, key, values, depth=0)
    return values


def _collect(data: Any, key: str, out: list[str], depth: int) -> None:
    if depth > 6:  # JSON-LD nests @graph and lists; deeper is not an article's own date
        return
    if isinstance(data, list):
        for item in data:
            _collect(item, key, out, depth + 1)
    elif isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            out.append(value.strip())
        for nested in ("@graph", "mainEntity", "mainEntityOfPage"):
            if nested in data:
                _collect(data[nested], key, out, depth + 1)
