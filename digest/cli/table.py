"""The README's table of commands, generated from the parser (what `--help` shows).

`scripts/sync_docs.py` writes it between the README's command-table markers and
tests/foundation/test_docs.py fails when the README is out of date, as for the
settings table, or when a command in it has no section in the docs.
"""

from __future__ import annotations

import argparse
import re

from digest.cli import build_parser


def _usage(parser: argparse.ArgumentParser) -> str:
    """``digest NAME [--flag VALUE] ARG`` on one line, without ``[-h]``."""
    text = " ".join(parser.format_usage().removeprefix("usage:").split())
    text = text.replace("[-h] ", "").replace(" [-h]", "")
    return re.sub(r" ACTION \.\.\.$", "", text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _rows(parser: argparse.ArgumentParser) -> list[tuple[str, str, str]]:
    """(name, usage, help line) of every command and action, as in the table."""
    rows: list[tuple[str, str, str]] = []
    for sub in parser._actions:
        if not isinstance(sub, argparse._SubParsersAction):
            continue
        for choice in sub._choices_actions:
            child = sub.choices[choice.dest]
            actions = [a for a in child._actions if isinstance(a, argparse._SubParsersAction)]
            if not (actions and actions[0].required):  # a command that also runs without an action
                rows.append((child.prog, _usage(child), choice.help or ""))
            rows += _rows(child)
    return rows


def command_table() -> str:
    """Markdown: one row per command and per action of a command, with its help line."""
    out = ["| command | what it does |", "|---|---|"]
    out += [f"| `{_cell(usage)}` | {_cell(help_line)} |" for _name, usage, help_line in _rows(build_parser())]
    return "\n".join(out) + "\n"


def command_names() -> list[str]:
    """``digest NAME [ACTION]`` of every row of the table."""
    return [name for name, _usage, _help in _rows(build_parser())]
