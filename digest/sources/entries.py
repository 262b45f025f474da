"""The entries of a feed, whatever its format: each read on its own, each made an article alike.

RSS, Atom and RDF (:mod:`digest.sources.feeds`) and JSON Feed
(:mod:`digest.sources.jsonfeed`) differ only in where a field is written; what
happens next is the same: an entry that cannot be read becomes a problem and the
rest go on, repeated entries are dropped, a missing link falls back to the homepage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from digest.errors import SourceError
from digest.sources.base import Result
from digest.sources.fields import FieldReader
from digest.types import Article, article_identity

log = logging.getLogger(__name__)


def read_entries(entries: Iterable[Any], source: str, one: Callable[[Any], Article]) -> Result:
    """``one(entry)`` for every entry, and (entry, problem) for those that had to be skipped."""
    articles: list[Article] = []
    problems: list[tuple[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for n, entry in enumerate(entries, 1):
        where = f"{source} entry {n}"
        try:
            article = one(entry)
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


def check_text(title: str, text: str) -> None:
    """Raise SourceError for an entry with nothing to summarise."""
    if not title and not text:
        raise SourceError("the entry has neither a title nor text")
    if not text:
        raise SourceError(f"{title!r} has no text")


def entry_article(
    fields: FieldReader,
    *,
    source: str,
    guid: str | None,
    link: str,
    title: str,
    text: str,
    html: str,
    published: datetime | None,
    date_from: str,
    author: str,
    image: Any,
    language: str = "",
) -> Article:
    """The article of one entry whose fields were read through ``fields`` (``image`` is checked here)."""
    if not link:
        fields.warnings.append("no link; it links to the homepage (DIGEST_SITE_URL)")
    return Article(
        id=identity(guid, link, title, text),
        title=title or text[:80],
        url=link,
        text=text,
        html=html,
        source=source,
        published=published,
        author=author,
        image=fields.url(image, "image"),
        date_from=date_from,
        url_from="feed" if link else "homepage",
        language=language,
        warnings=tuple(fields.warnings),
    )


def identity(guid: str | None, link: str, title: str, text: str) -> str:
    """The guid, else the link: with its #fragment, since feeds without guids point at anchors.

    Two entries of one page (``/live#update-1``, ``/live#update-2``) are different
    articles; dropping the fragment would merge them and mark the second "already sent".
    """
    found = article_identity(guid, link or None, title, text)
    fragment = urlsplit(link).fragment if link and not guid else ""
    return f"{found}#{fragment}" if fragment else found
