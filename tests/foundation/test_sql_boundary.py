"""Only digest/store/ speaks SQL: no other module of the package imports SQLAlchemy.

The check walks the syntax tree of every .py file, so an import inside a function
or under ``if TYPE_CHECKING:`` counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = [REPO / "digest", REPO / "jobs"]
STORE = REPO / "digest" / "store"


def sql_imports(source: str) -> list[str]:
    """The modules of ``source`` that import sqlalchemy (or one of its submodules)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "sqlalchemy":
                found.append(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            args = node.args
            if args and isinstance(args[0], ast.Constant) and str(args[0].value).startswith("sqlalchemy"):
                found.append(str(args[0].value))
    return found


def outside_store() -> list[Path]:
    files = [p for root in PACKAGES if root.is_dir() for p in root.rglob("*.py")]
    return [p for p in files if STORE not in p.parents and ".venv" not in p.parts]


def test_only_the_store_imports_sqlalchemy() -> None:
    files = outside_store()
    assert len(files) > 50  # the walk really covers the package
    offenders = {
        str(p.relative_to(REPO)): names
        for p in files
        if (names := sql_imports(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "SQL belongs in digest/store/; move these imports there: " + repr(offenders)


def test_the_check_sees_every_way_of_importing() -> None:
    samples = [
        "import sqlalchemy",
        "import sqlalchemy.orm as orm",
        "from sqlalchemy import select",
        "from sqlalchemy.dialects.sqlite import insert",
        "def f():\n    from sqlalchemy import Engine\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy import Engine\n",
        "mod = __import__('sqlalchemy')",
    ]
    for text in samples:
        assert sql_imports(text), text
    assert sql_imports("from digest.store import Engine\nimport sqlalchemy_utils_not\n") == []
    assert sql_imports("from .sqlalchemy import x") == []  # a relative module of that name is ours
