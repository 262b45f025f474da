"""`digest config`: the settings you set (secrets masked), each problem beside its key."""

from __future__ import annotations

import argparse
import sys

from digest.cli import add_command
from digest.cli.context import Context


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "config",
        "print the settings you set, with any problem beside its key (secrets masked)",
        "  digest config\n  digest config --all\n  digest config --example > .env.example\n"
        "  digest config --example --all > every-setting.env\n",
        description="Print the settings set in .env or the environment (an empty value takes the default), "
        "with where each came from; "
        "a value digest cannot use is shown with the reason beside it (exit status 2). "
        "--all adds every other key at its default.",
    )
    p.add_argument("--all", action="store_true", help="also list every key left at its default")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--example",
        action="store_true",
        help="print a documented .env of the first hour's settings (with --all: every key and its default)",
    )
    group.add_argument("--markdown", action="store_true", help="print the docs' table of every key")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # Imported here, not at the top, so `digest --help` starts fast.
    from digest.config import declared_fields, example_env, readme_table
    from digest.config.show import config_rows, render_rows
    from digest.plugins import inspect, plugins

    if args.example:
        print(example_env(plugins(), first_hour=not args.all), end="")
        return 0
    if args.markdown:
        print(readme_table(plugins()), end="")
        return 0
    # Not ctx.settings: that stops at the first problem, and this command must show them all.
    found = inspect(ctx.env_file)
    rows, hidden = config_rows(found, declared_fields(plugins()), all_keys=args.all)
    for line in render_rows(rows):
        print(line)
    if hidden:
        print(f"# {hidden} other keys at their defaults: digest config --all")
    settings = found.settings
    where = "from DIGEST_DATABASE_URL" if settings.database_url else f"SQLite in {settings.data_dir}"
    print(f"# database: {where}")
    for line in found.warnings + found.social_warnings + found.sample_warnings:
        print(f"digest: warning: {line}", file=sys.stderr)
    for error in found.errors.values():
        print(f"digest: error: {error}", file=sys.stderr)
    return 2 if found.errors else 0
