"""Regenerate .env.example, the README's settings table and its command table from the code.

Run after adding or changing a setting or a command's options or help line:
.venv/bin/python scripts/sync_docs.py. tests/foundation/test_docs.py fails when any is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.cli.table import command_table  # noqa: E402
from digest.config import example_env, readme_table  # noqa: E402

MARKERS = re.compile(r"(<!-- config-table:start -->\n).*?(<!-- config-table:end -->)", re.S)
COMMAND_MARKERS = re.compile(r"(<!-- command-table:start -->\n).*?(<!-- command-table:end -->)", re.S)


def readme_with_table(text: str) -> str:
    """The README with both generated tables (settings and commands) brought up to date."""
    text = MARKERS.sub(lambda m: m.group(1) + readme_table() + m.group(2), text)
    return COMMAND_MARKERS.sub(lambda m: m.group(1) + command_table() + m.group(2), text)


def main() -> None:
    (ROOT / ".env.example").write_text(example_env(first_hour=True), encoding="utf-8")
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print("updated .env.example and the README settings and command tables")


if __name__ == "__main__":
    main()
