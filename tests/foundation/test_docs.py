"""The docs stay true to the code: generated parts in sync, every setting and command documented,
every page of the docs site's nav present, and the README short, linking into the docs."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from digest.config import declared_fields
from digest.plugins import plugins

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
sys.path.insert(0, str(REPO / "scripts"))

from sync_docs import GENERATED, synced  # noqa: E402


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_docs_are_in_sync_with_the_code(name: str) -> None:
    """.env.example, the settings table of docs/configuration.md, the README's command table."""
    fix = "run: .venv/bin/python scripts/sync_docs.py"
    assert (REPO / name).read_text(encoding="utf-8") == synced(name), fix


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


def nav_pages(nav: Any) -> list[str]:
    """The files a mkdocs nav lists, however deeply its sections nest."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    return []


def site_pages() -> list[str]:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config.get("docs_dir", "docs") == "docs"
    return nav_pages(config["nav"])


def test_every_page_in_the_nav_exists_and_every_page_is_in_the_nav() -> None:
    pages = site_pages()
    assert pages and len(pages) == len(set(pages)), pages
    missing = [page for page in pages if not (DOCS / page).is_file()]
    assert not missing, f"listed in mkdocs.yml's nav but not in docs/: {missing}"
    unlisted = sorted({p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")} - set(pages))
    assert not unlisted, f"in docs/ but not in mkdocs.yml's nav: {unlisted}"


# A heading that names a command: "### `digest deliveries resolve`" (options may follow the name).
COMMAND_HEADING = re.compile(r"^#{1,6} .*?`(digest(?: [a-z][a-z-]*)*)", re.M)


def test_every_command_in_the_table_has_a_section_in_the_docs() -> None:
    from digest.cli.table import command_names

    headed = set()
    for page in site_pages():
        headed |= set(COMMAND_HEADING.findall((DOCS / page).read_text(encoding="utf-8")))
    missing = [name for name in command_names() if name not in headed]
    assert not missing, f"no docs section (a heading naming `digest ...`) for: {missing}"


def test_readme_is_short_and_its_links_into_the_docs_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    links = re.findall(r"\]\((docs/[^)#\s]+)(?:#[^)]*)?\)", readme)
    assert links, "the README links into the docs"
    missing = [link for link in links if not (REPO / link).is_file()]
    assert not missing, missing
    assert set(links) <= {f"docs/{page}" for page in site_pages()}


def test_every_key_read_by_the_code_is_declared() -> None:
    declared = {f.metadata["env"] for _cls, f in declared_fields(plugins())}
    used: set[str] = set()
    for path in list((REPO / "digest").rglob("*.py")) + list((REPO / "jobs").rglob("*.py")):
        used |= set(re.findall(r"\bDIGEST_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.startswith("DIGEST_TEST_")}
    assert used <= declared, sorted(used - declared)


def test_every_setting_has_help() -> None:
    for _cls, f in declared_fields(plugins()):
        assert len(f.metadata["help"]) > 15, f.metadata["env"]
