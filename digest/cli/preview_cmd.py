"""`digest preview`: write the edition to a folder; never sends."""

from __future__ import annotations

import argparse
from pathlib import Path

from digest.cli import add_command
from digest.cli.context import Context
from digest.preview import build_preview


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "preview",
        "build the edition without sending and write it to a folder",
        "  digest preview\n  digest preview --out /tmp/preview\n",
        description="Build this period's edition exactly as it would go out, write it to a "
        "folder (email.html, email.txt, email.eml, report.json) and send nothing.",
    )
    p.add_argument("--out", default="preview", metavar="DIR", help="output folder (default ./preview)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    result = build_preview(ctx.settings, ctx.ledger, Path(args.out), now=ctx.now(), progress=ctx.interactive)
    report = result.report
    print(
        f"Preview of {report['edition']}: {report['articles']} article(s), "
        f"{report['html_bytes']:,} bytes of HTML, written to {result.out}/"
    )
    for problem in report["problems"]:
        print(f"warning: skipped {problem['problem']}")
    for hit in report["protected_terms"]:
        print(f"error: protected term {hit['term']!r} in {hit['where']}")
    return 0 if result.ok else 1
