"""Regenerate what the docs take from the code: .env.example, the settings table of
docs/configuration.md and the README's command table.

Run after adding or changing a setting or a command's options or help line:
.venv/bin/python scripts/sync_docs.py. tests/foundation/test_docs.py fails when any is out of date.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.cli.table import command_table  # noqa: E402
from digest.config import example_env, readme_table  # noqa: E402
from digest.plugins import plugins  # noqa: E402


def between(marker: str, make: Callable[[], str]) -> Callable[[str], str]:
    """Replace what stands between ``<!-- marker:start -->`` and ``<!-- marker:end -->``."""
    pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)

    def update(text: str) -> str:
        if not pattern.search(text):
            raise SystemExit(f"no <!-- {marker}:start/end --> markers")
        return pattern.sub(lambda m: m.group(1) + make() + m.group(2), text)

    return update


# file (from the repository's top) -> its text brought up to date from its current text
GENERATED: dict[str, Callable[[str], str]] = {
    ".env.example": lambda _old: example_env(plugins(), first_hour=True),
    "docs/configuration.md": between("config-table", lambda: readme_table(plugins())),
    "README.md": between("command-table", command_table),
}


def synced(name: str) -> str:
    """What ``name`` should hold."""
    path = ROOT / name
    return GENERATED[name](path.read_text(encoding="utf-8") if path.exists() else "")


def main() -> None:
    for name in GENERATED:
        (ROOT / name).write_text(synced(name), encoding="utf-8")
    print("updated " + ", ".join(GENERATED))


if __name__ == "__main__":
    main()
