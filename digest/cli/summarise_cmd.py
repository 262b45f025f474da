"""`digest summarise`: the blurb, key phrases and social posts one article would make."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from digest.cli import add_command
from digest.cli.context import Context
from digest.errors import SourceError

if TYPE_CHECKING:
    from digest.types import Article, BlurbSentence

EXAMPLES = """\
  digest summarise content/2026-winter-coats.md
  digest summarise https://example.org/news/article --sentences 2
  digest summarise article.txt --json
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "summarise",
        "show the blurb, key phrases and social posts for one article",
        EXAMPLES,
        description="Summarise one article file or page address the way the digest would, and show "
        "the post each platform in DIGEST_SOCIAL_PLATFORMS would get, with its length. Sends nothing.",
    )
    p.add_argument(
        "source", metavar="PATH_OR_URL", help="an article file (.md, .txt, .html) or a page address"
    )
    p.add_argument("--sentences", type=int, default=None, metavar="N", help="most sentences in the blurb")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # Imported here, not at the top, so `digest --help` starts fast.
    from dataclasses import replace

    from digest.compose.build import blurb_options
    from digest.social.compose import drafts_for_edition, post_keyphrases
    from digest.summarise.origins import as_json
    from digest.summarise.registry import make_item
    from digest.types import Edition

    settings = ctx.settings
    article = _load(args.source, settings)
    # The path compose takes (summariser, language detection, protected terms), so this
    # shows the blurb and key phrases the article would get in an edition.
    options = blurb_options(settings)
    if args.sentences:
        options = replace(options, max_sentences=args.sentences)
    item = make_item(article, options)
    now = ctx.now()
    edition = Edition(key=f"preview:{now:%Y-%m-%d}", slot=now, issued=now, items=(item,))
    drafts = drafts_for_edition(edition, settings)
    if args.json:
        out = {
            "title": article.title,
            "blurb": item.blurb,
            "sentences": [as_json(s) for s in item.sentences],
            "keyphrases": list(item.keyphrases),
            "post_keyphrases": post_keyphrases(item),
            "posts": [
                {
                    "platform": d.post.platform,
                    "text": d.post.text,
                    "used": d.post.used,
                    "limit": d.post.limit,
                    "errors": list(d.post.errors),
                }
                for d in drafts
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"{article.title}\n\nBlurb:\n  {item.blurb or '(nothing to summarise)'}\n")
        _print_sources(item.sentences)
        print("Key phrases: " + (", ".join(item.keyphrases) or "(none)"))
        for d in drafts:
            p = d.post
            print(f"\n--- {p.platform}: {p.used}/{p.limit}" + (" (ERROR)" if p.errors else ""))
            print(p.text)
            for error in p.errors:
                print(f"! {error}")
        if not drafts:
            print("\n(no social posts: DIGEST_SOCIAL_PLATFORMS is empty)")
    return 1 if any(d.post.errors for d in drafts) else 0


def _print_sources(sentences: tuple[BlurbSentence, ...]) -> None:
    """Each blurb sentence with the paragraph it came from, so a reader can check it."""
    if sentences:
        print("Where each sentence came from:")
    for n, s in enumerate(sentences, 1):
        src = s.source
        if src is None:
            print(f"  {n}. not found in the article: check it by hand")
        elif src.supporting:
            print(f"  {n}. paragraph {src.paragraph + 1}; {src.verdict}: {_clip(src.supporting[0])}")
        else:
            span = f"characters {src.start + 1}-{src.end} of {len(src.text)}"
            print(f"  {n}. paragraph {src.paragraph + 1}, {span}")
    if sentences:
        print()


def _clip(text: str, most: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1] + "…"


def _load(source: str, settings: object) -> Article:
    from digest.sources import SourceOptions, load_sources

    options = SourceOptions.from_settings(settings)
    if "://" not in source and not Path(source).exists():
        raise SourceError(f"{source}: no such file; give an article file or a page address")
    loaded = load_sources([source], options, progress=False)
    if not loaded.articles:
        why = "; ".join(problem for _src, problem in loaded.problems) or "no article found"
        raise SourceError(f"{source}: {why}")
    return loaded.articles[0]
