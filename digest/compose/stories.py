"""One story, one entry (issue 23): the same story from several sources becomes one entry.

Our own article and a partner's feed item, or two feeds, often tell one story; a roundup that
lists it twice (or again next week) looks careless. Articles of one story (see
:mod:`digest.summarise.same_story`) are merged: the one from our own sources leads (a file or
folder of ours, or an address on DIGEST_SITE_URL's host), else the earliest published; the
others are listed under it as "also reported by" and taken with the edition. An article telling
a story that went out in one of the last editions is left out, saying which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from digest.summarise.same_story import Story, groups, same_story, story_terms
from digest.types import Article

_UNDATED = datetime.max.replace(tzinfo=UTC)


@dataclass
class Stories:
    """The entries (one article per story, in the order given), the articles merged into each
    entry (by the lead's id), and the articles left out as re-posts, with why."""

    leads: list[Article] = field(default_factory=list)
    also: dict[str, tuple[Article, ...]] = field(default_factory=dict)
    reposts: list[tuple[Article, str]] = field(default_factory=list)


def own_source(site_url: str) -> Callable[[Article], bool]:
    """Whether an article is ours: read from a file or folder, or at an address on our site."""
    site = _host(site_url)

    def is_own(article: Article) -> bool:
        if "://" not in article.source:
            return True
        host = _host(article.url)
        return bool(site) and (host == site or host.endswith("." + site))

    return is_own


def one_entry_per_story(
    articles: Sequence[Article], own: Callable[[Article], bool], sent: Sequence[tuple[str, str, str]] = ()
) -> Stories:
    """Merge ``articles`` (newest first) by story; ``sent`` is (title, blurb, edition key) of
    what recent editions carried (:meth:`~digest.store.editions.EditionBook.sent_stories`)."""
    out = Stories()
    earlier = [(story_terms(title, blurb), title, key) for title, blurb, key in sent]
    kept: list[tuple[Article, Story]] = []
    for article in articles:
        terms = story_terms(article.title, article.text)
        match = next((m for m in earlier if same_story(terms, m[0])), None)
        if match is None:
            kept.append((article, terms))
        else:
            out.reposts.append((article, f"the same story as {match[1]!r}, sent in {match[2]}"))
    for group in groups([terms for _, terms in kept]):
        members = [kept[i][0] for i in group]
        lead = min(members, key=lambda a: (not own(a), a.published or _UNDATED))
        out.leads.append(lead)
        if len(members) > 1:
            out.also[lead.id] = tuple(a for a in members if a is not lead)
    return out


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")
