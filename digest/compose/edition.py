"""Editions: the set of articles for one scheduled period.

An article goes out at most once: once it is in an edition that was frozen for
sending, it is never picked again, whatever its feed entry later says about its
date or position. Articles without a date count as published when first seen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.compose.blurb import BlurbOptions, make_item
from digest.errors import DigestError
from digest.types import Article, EditionItem


def select_articles(
    articles: list[Article],
    *,
    taken: set[str],
    first_seen: dict[str, datetime],
    since: datetime,
    now: datetime,
) -> tuple[list[Article], list[tuple[Article, str]]]:
    """Split articles into those for this edition (newest first) and those left out, with why."""
    chosen: list[tuple[datetime, Article]] = []
    left_out: list[tuple[Article, str]] = []
    for article in articles:
        when = article.published or first_seen.get(article.id) or now
        if article.id in taken:
            left_out.append((article, "already sent in an earlier edition"))
        elif when < since:
            left_out.append((article, f"published {when:%Y-%m-%d}, before this edition's window"))
        else:
            chosen.append((when, article))
    chosen.sort(key=lambda pair: pair[0], reverse=True)
    return [a for _, a in chosen], left_out


def window_start(last_sent_slot: datetime | None, now: datetime, lookback_days: int) -> datetime:
    """Articles since the last sent edition; the first edition looks back ``lookback_days``."""
    if last_sent_slot is not None:
        return last_sent_slot.astimezone(UTC)
    return now.astimezone(UTC) - timedelta(days=lookback_days)


def compose_edition(
    articles: list[Article],
    options: BlurbOptions,
    max_articles: int,
) -> tuple[list[EditionItem], list[EditionItem], list[tuple[Article, str]]]:
    """Blurbs for the chosen articles; one that cannot be summarised is left out, not fatal."""
    items: list[EditionItem] = []
    failed: list[tuple[Article, str]] = []
    for article in articles:
        try:
            items.append(make_item(article, options))
        except (DigestError, ValueError) as exc:
            failed.append((article, f"could not summarise: {exc}"))
    return items[:max_articles], items[max_articles:], failed
