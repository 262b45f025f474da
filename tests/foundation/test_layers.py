"""The pipeline reads top to bottom: no module imports from a layer above its own, and no
modules import each other in a loop.

Every import counts: at the top of a module, inside a function, under ``if TYPE_CHECKING:``,
and ``importlib.import_module("digest....")`` with a literal name. An import inside a function
is for a heavy third-party library at start-up, never to dodge a cycle.

The layers, top first (docs/architecture.md draws them). A module belongs to the layer of the
longest prefix that names it; modules of one layer may import each other, as long as no loop
forms.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LAYERS: list[tuple[str, list[str]]] = [
    ("command line", ["digest.__main__", "digest.cli"]),
    ("web", ["digest.serve"]),
    ("scheduled jobs", ["digest.jobs"]),
    ("preview", ["digest.preview"]),
    (
        "deliver: ledger, dispatch, publish, status",
        ["digest.deliver", "digest.social.publish", "digest.social.queue", "digest.status"],
    ),
    ("plugins: their settings and names, gathered for config", ["digest.plugins"]),
    ("mail providers", ["digest.providers"]),
    ("edition: build, check, freeze", ["digest.compose"]),
    ("render: email, text, posts", ["digest.render", "digest.social.compose", "digest.social.fit"]),
    ("social platforms", ["digest.social.platforms"]),
    ("post counting", ["digest.social.measure", "digest.social.urls", "digest.social"]),
    ("summarise", ["digest.summarise"]),
    ("sources", ["digest.sources"]),
    ("foundation: settings, storage, helpers", ["digest"]),
]


def module_files() -> dict[str, Path]:
    """Every module of the package as it installs (``jobs/`` is ``digest.jobs``)."""
    found: dict[str, Path] = {}
    for folder, package in [(REPO / "digest", "digest"), (REPO / "jobs", "digest.jobs")]:
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


def imported_names(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(dotted name, line) for every import in the file, wherever it stands."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if is_package else module.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join(here + ([node.module] if node.module else []))
            yield base, node.lineno
            yield from ((f"{base}.{a.name}", node.lineno) for a in node.names)
        elif isinstance(node, ast.Call) and _literal_import(node):
            yield node.args[0].value, node.lineno  # type: ignore[attr-defined]


def _literal_import(node: ast.Call) -> bool:
    """``importlib.import_module("...")`` or ``__import__("...")`` with the name written out."""
    called = getattr(node.func, "attr", getattr(node.func, "id", ""))
    first = node.args[0] if node.args else None
    return (
        called in ("import_module", "__import__")
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
    )


def import_graph(files: dict[str, Path]) -> dict[str, dict[str, int]]:
    """module -> {imported module of ours: first line}, each name resolved to the module that holds it."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in files.items():
        targets: dict[str, int] = {}
        for name, line in imported_names(module, path):
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.setdefault(name, line)
        graph[module] = targets
    return graph


def layer_of(module: str) -> int:
    best, best_len = len(LAYERS), -1
    for index, (_label, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def upward_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    out = []
    for module, targets in sorted(graph.items()):
        for target, line in sorted(targets.items()):
            if layer_of(target) < layer_of(module):
                out.append(
                    f"{module} (line {line}, layer '{LAYERS[layer_of(module)][0]}') imports {target} "
                    f"(layer '{LAYERS[layer_of(target)][0]}')"
                )
    return out


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def describe_cycle(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(component)
    ties = [
        f"{a} -> {b} (line {line})" for a in component for b, line in sorted(graph[a].items()) if b in members
    ]
    return "; ".join(ties)


def test_every_module_is_read() -> None:
    files = module_files()
    assert len(files) > 100
    assert "digest.jobs.daemon" in files and "digest.cli" in files


def test_no_module_imports_from_a_layer_above_it() -> None:
    found = upward_imports(import_graph(module_files()))
    assert found == [], "imports against the pipeline's direction:\n" + "\n".join(found)


def test_no_modules_import_each_other_in_a_loop() -> None:
    graph = import_graph(module_files())
    found = [describe_cycle(c, graph) for c in cycles(graph)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "if TYPE_CHECKING:\n    from digest.b import X\n"
        "def f():\n    from . import c\n    return importlib.import_module('digest.d')\n",
        encoding="utf-8",
    )
    files = {"digest.a": tmp_path / "a.py"}
    for name in "bcd":
        (tmp_path / f"{name}.py").write_text("", encoding="utf-8")
        files[f"digest.{name}"] = tmp_path / f"{name}.py"
    graph = import_graph(files)
    assert set(graph["digest.a"]) == {"digest.b", "digest.c", "digest.d"}


def test_the_check_finds_a_loop_and_an_upward_import() -> None:
    graph = {
        "digest.cli": {},
        "digest.store": {"digest.cli": 3},
        "digest.x": {"digest.y": 1},
        "digest.y": {"digest.x": 2},
    }
    assert cycles(graph) == [["digest.x", "digest.y"]]
    assert [line.split(" ")[0] for line in upward_imports(graph)] == ["digest.store"]
