"""Editions: the set of articles for one scheduled period.

An article goes out at most once: once it is in an edition that was frozen for
sending, it is never picked again, whatever its feed entry later says about its
date or position. Articles without a date count as published when first seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo

from digest.errors import DigestError
from digest.summarise.registry import BlurbOptions, make_item
from digest.types import Article, EditionItem, is_calendar_day

MORE_FULL = "the 'more stories' list is full ({max_more} titles, DIGEST_MAX_MORE_STORIES)"


def select_articles(
    articles: list[Article],
    *,
    taken: set[str],
    first_seen: dict[str, datetime],
    since: datetime,
    now: datetime,
    zone: tzinfo = UTC,
) -> tuple[list[Article], list[tuple[Article, str]]]:
    """Split articles into those for this edition (newest first) and those left out, with why.

    ``now`` is when the edition goes out: an article dated later waits for its date (a date
    without a time is due from the start of that day in ``zone``, the schedule's time zone).
    A date without a time is in the window when its day is not before the day ``since`` falls
    on: an article dated the day of the last edition but added after it still goes out.
    """
    chosen: list[tuple[datetime, Article]] = []
    left_out: list[tuple[Article, str]] = []
    for article in articles:
        dated, day = article.moment(zone), article.day(zone)
        when = dated or first_seen.get(article.id) or now
        if article.id in taken:
            left_out.append((article, "already sent in an earlier edition"))
        elif dated is not None and dated > now:
            left_out.append((article, f"dated {day}: it waits for its date"))
        elif _before(article, when, since, zone):
            left_out.append((article, f"published {day or when.date()}, before this edition's window"))
        else:
            chosen.append((when, article))
    chosen.sort(key=lambda pair: pair[0], reverse=True)
    return [a for _, a in chosen], left_out


def _before(article: Article, when: datetime, since: datetime, zone: tzinfo) -> bool:
    """Published before the window starts (a calendar day: before the day it starts on)."""
    if article.published is not None and is_calendar_day(article.published):
        return article.published.date() < since.astimezone(zone).date()
    return when < since


def window_start(last_sent_slot: datetime | None, first_read: datetime, lookback_days: int) -> datetime:
    """Articles since the last sent edition. The first edition looks back ``lookback_days`` from
    ``first_read``, the first time digest read the sources on this data folder, so what was
    published before it was set up is not lost to a slot that passed while it was being set up."""
    if last_sent_slot is not None:
        return last_sent_slot.astimezone(UTC)
    return first_read.astimezone(UTC) - timedelta(days=lookback_days)


def compose_edition(
    articles: list[Article],
    options: BlurbOptions,
    max_articles: int,
    max_more: int | None = None,
    also: Mapping[str, tuple[Article, ...]] | None = None,
) -> tuple[list[EditionItem], list[EditionItem], list[tuple[Article, str]]]:
    """Blurbs for the chosen articles (newest first); one that cannot be summarised is
    left out, not fatal. With ``max_more``, at most that many go to the "More stories"
    list; older ones are left out (and never summarised: a busy week stays fast).
    ``also``: the same story from other sources, by the id of the article it joins."""
    items: list[EditionItem] = []
    failed: list[tuple[Article, str]] = []
    limit = None if max_more is None else max_articles + max_more
    for n, article in enumerate(articles):
        if limit is not None and len(items) >= limit:
            why = MORE_FULL.format(max_more=max_more)
            failed += [(a, why) for a in articles[n:]]
            break
        try:
            item = make_item(article, options)
            items.append(replace(item, also=also[article.id]) if also and article.id in also else item)
        except (DigestError, ValueError) as exc:
            failed.append((article, f"could not summarise: {exc}"))
    return items[:max_articles], items[max_articles:], failed
