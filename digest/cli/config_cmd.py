"""`digest config`: the effective settings, secrets masked."""

from __future__ import annotations

import argparse

from digest.cli import add_command
from digest.cli.context import Context
from digest.config import describe, example_env, readme_table


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "config",
        "print the effective settings (secrets masked)",
        "  digest config\n  digest config --example > .env.example\n",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--example", action="store_true", help="print a documented .env with every key and its default"
    )
    group.add_argument("--markdown", action="store_true", help="print the README table of keys")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.example:
        print(example_env(), end="")
        return 0
    if args.markdown:
        print(readme_table(), end="")
        return 0
    rows = describe(ctx.settings)
    width = max(len(key) for key, _, _ in rows)
    for key, value, _ in rows:
        print(f"{key:<{width}} = {value}")
    where = "from DIGEST_DATABASE_URL" if ctx.settings.database_url else f"SQLite in {ctx.settings.data_dir}"
    print(f"# database: {where}")
    return 0
