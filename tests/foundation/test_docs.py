"""Every setting is documented in .env.example and the README, generated from the code."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from digest.config import declared_fields, example_env

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from sync_docs import readme_with_table  # noqa: E402


def test_env_example_is_in_sync_with_the_code() -> None:
    assert (REPO / ".env.example").read_text(encoding="utf-8") == example_env(first_hour=True), (
        "run: .venv/bin/python scripts/sync_docs.py"
    )


def test_readme_table_is_in_sync_with_the_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "run: .venv/bin/python scripts/sync_docs.py"


def test_readme_command_table_is_generated_from_the_parser() -> None:
    """Every command and action is in the README with its usage and help line, as --help shows them."""
    from digest.cli.table import command_table

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = command_table()
    assert f"<!-- command-table:start -->\n{table}<!-- command-table:end -->" in readme, (
        "run: .venv/bin/python scripts/sync_docs.py"
    )
    for command in ("sources", "preview", "send", "status", "run", "schedule", "config"):
        assert f"| `digest {command}" in table


def test_every_key_read_by_the_code_is_declared() -> None:
    declared = {f.metadata["env"] for _cls, f in declared_fields()}
    used: set[str] = set()
    for path in list((REPO / "digest").rglob("*.py")) + list((REPO / "jobs").rglob("*.py")):
        used |= set(re.findall(r"\bDIGEST_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.startswith("DIGEST_TEST_")}
    assert used <= declared, sorted(used - declared)


def test_every_setting_has_help() -> None:
    for _cls, f in declared_fields():
        assert len(f.metadata["help"]) > 15, f.metadata["env"]
