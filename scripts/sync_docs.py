"""Regenerate .env.example and the README's settings table from the code.

Run after adding or changing a setting: .venv/bin/python scripts/sync_docs.py
tests/test_docs.py fails when either is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.config import example_env, readme_table  # noqa: E402

MARKERS = re.compile(r"(<!-- config-table:start -->\n).*?(<!-- config-table:end -->)", re.S)


def readme_with_table(text: str) -> str:
    return MARKERS.sub(lambda m: m.group(1) + readme_table() + m.group(2), text)


def main() -> None:
    (ROOT / ".env.example").write_text(example_env(), encoding="utf-8")
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print("updated .env.example and the README settings table")


if __name__ == "__main__":
    main()
