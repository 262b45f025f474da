"""`digest sources`: what the next edition would contain, and why anything is left out."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from digest.cli import add_command
from digest.cli.context import Context

if TYPE_CHECKING:
    from digest.types import Article


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "sources",
        "show what the next edition would contain",
        "  digest sources\n  digest sources --json\n",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=run)


def article_facts(article: Article) -> dict[str, Any]:
    """What `digest sources` shows of one article, and where its date and link came from."""
    return {
        "title": article.title,
        "date": _date(article),
        "date_from": article.date_from or "first seen (no date in the article)",
        "author": article.author,
        "language": article.language,
        "url": article.url,
        "url_from": article.url_from or "source",
        "source": article.source,
        "warnings": list(article.warnings),
    }


def _date(article: Article) -> str:
    """The date as written: a day (2026-12-05) or a moment (2026-12-05T10:00:00+09:00)."""
    from digest.types import is_calendar_day

    if article.published is None:
        return ""
    return article.published.date().isoformat() if is_calendar_day(article.published) else (
        article.published.isoformat())


def run(args: argparse.Namespace, ctx: Context) -> int:
    from digest.compose.build import build_edition
    from digest.compose.period import coming_period
    from digest.providers.registry import rehearsal_channels

    now = ctx.now()
    uncounted = rehearsal_channels(ctx.settings.provider)
    seen = ctx.seen  # sqlite3 on a current SQLite file: SQLAlchemy is not loaded (issue 24)
    coming = coming_period(ctx.settings, seen, now, uncounted)  # the edition that will carry them
    key, slot = coming.key, coming.slot
    goes_out = slot.astimezone(ctx.settings.cadence.zone).strftime("%Y-%m-%d %H:%M")
    built = build_edition(
        ctx.settings, seen, now=now, key=key, slot=slot, progress=ctx.interactive, uncounted=uncounted
    )
    edition = built.edition
    if args.json:
        print(
            json.dumps(
                {
                    "edition": key,
                    "goes_out": max(slot, now).isoformat(),
                    "note": coming.note,
                    "articles": [
                        {**article_facts(i.article), "blurb": i.blurb, "also_reported_by": _also(i.also)}
                        for i in edition.items + edition.more
                    ],
                    "left_out": [
                        {"title": a.title, "source": a.source, "why": why} for a, why in built.left_out
                    ],
                    "problems": [{"source": s, "problem": p} for s, p in built.problems],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if coming.note:
        print(coming.note)
    zone = ctx.settings.timezone
    when = f"goes out {goes_out} {zone}" if slot > now else f"due {goes_out} {zone}, not sent yet"
    print(f"Edition {key} ({when}): {len(edition.items) + len(edition.more)} article(s)")
    for n, item in enumerate(edition.items + edition.more, 1):
        facts = article_facts(item.article)
        print(f"  {n}. {facts['title']}  [{facts['source']}]")
        when = f"{facts['date']} (from {facts['date_from']})" if facts["date"] else facts["date_from"]
        declared = f"; language: {facts['language']}" if facts["language"] else ""
        print(f"     date: {when}; author: {facts['author'] or '-'}{declared}")
        print(f"     url: {facts['url'] or '-'} (from {facts['url_from']})")
        for warning in facts["warnings"]:
            print(f"     warning: {warning}")
        for other in item.also:  # the same story from another source, merged into this entry
            print(f"     also reported by: {other.title}  [{other.source}] {other.url}")
    if built.left_out:
        print(f"Left out ({len(built.left_out)}):")
        for article, why in built.left_out:
            print(f"  - {article.title}: {why}")
    if built.problems:
        print(f"Could not read ({len(built.problems)}):")
        for source, problem in built.problems:
            print(f"  - {problem}" if problem.startswith(source) else f"  - {source}: {problem}")
    return 0


def _also(articles: tuple[Article, ...]) -> list[dict[str, str]]:
    """The same story from other sources, merged into an entry (issue 23)."""
    return [{"title": a.title, "url": a.url, "source": a.source} for a in articles]
