"""`digest sources`: what the next edition would contain, and why anything is left out."""

from __future__ import annotations

import argparse
import json

from digest.cli import add_command
from digest.cli.context import Context
from digest.pipeline import build_edition, current_period


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "sources",
        "show what the next edition would contain",
        "  digest sources\n  digest sources --json\n",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    now = ctx.now()
    key, slot = current_period(ctx.settings, now)
    built = build_edition(ctx.settings, ctx.ledger, now=now, key=key, slot=slot, progress=ctx.interactive)
    edition = built.edition
    if args.json:
        print(
            json.dumps(
                {
                    "edition": key,
                    "articles": [
                        {
                            "title": i.article.title,
                            "url": i.article.url,
                            "source": i.article.source,
                            "blurb": i.blurb,
                        }
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
    print(f"Edition {key}: {len(edition.items) + len(edition.more)} article(s)")
    for n, item in enumerate(edition.items + edition.more, 1):
        print(f"  {n}. {item.article.title}  [{item.article.source}]")
    if built.left_out:
        print(f"Left out ({len(built.left_out)}):")
        for article, why in built.left_out:
            print(f"  - {article.title}: {why}")
    if built.problems:
        print(f"Could not read ({len(built.problems)}):")
        for source, problem in built.problems:
            print(f"  - {problem}" if problem.startswith(source) else f"  - {source}: {problem}")
    return 0
