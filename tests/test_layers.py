"""The package's shape, read from its own imports: no circle, no import that runs back up a layer, and MkDocs
only at the door (the plugin, its workers and live preview, and the commands that open a project).

Imports under `if TYPE_CHECKING:` are left out: they never run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kbgen"

# The layers in the order data flows; a module may import its own layer's modules and lower ones only.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundations",
        {"problems", "paths", "fields", "yamlsource", "cache", "swap", "progress", "markdown_scan", "i18n"},
    ),
    ("the knowledge base as data", {"model", "bundles"}),
    ("readers and checks", {"products", "synonyms", "ledger", "scaffold", "translations", "validate", "loader"}),
    ("search", {"meaning", "distill", "search"}),
    ("views and writers", {"render", "site", "seo", "redirects", "catalog", "bundle_site", "report_html"}),
    ("insights", {"linker", "gaps", "report"}),
    ("the MkDocs door", {"mkdocs_private", "plugin", "parallel", "live", "project", "publish"}),
    ("commands", {"cli", "cli_insights", "cli_options", "__init__"}),
]
DOOR = LAYERS[-2][1]


def _runs(tree: ast.Module) -> list[ast.stmt | ast.expr]:
    """Every import statement that can run (those under `if TYPE_CHECKING:` never do)."""
    found: list[ast.stmt | ast.expr] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def _imports() -> dict[str, dict[str, int]]:
    """module → {what it imports (kbgen modules by name, "mkdocs" for MkDocs): the first line}."""
    graph: dict[str, dict[str, int]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        edges: dict[str, int] = {}
        for node in _runs(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                names = [a.name for a in node.names]  # type: ignore[union-attr]
            for name in names:
                if name == "mkdocs" or name.startswith("mkdocs."):
                    name = "mkdocs"
                elif name.startswith("kbgen."):
                    name = name.split(".")[1]
                elif not (isinstance(node, ast.ImportFrom) and node.level == 1):
                    continue  # another package
                edges.setdefault(name, node.lineno)
        graph[path.stem] = edges
    return graph


def test_every_module_has_a_layer():
    placed = [m for _, modules in LAYERS for m in modules]
    assert len(placed) == len(set(placed))
    assert set(_imports()) == set(placed), "add a new module to LAYERS, in the layer it belongs to"


def test_no_import_circle():
    graph = {m: {d for d in edges if d != "mkdocs" and d != m} for m, edges in _imports().items()}
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for dep in sorted(graph.get(module, ())):
            if state.get(dep) == 1:
                circles.append([*trail[trail.index(dep) :], dep] if dep in trail else [module, dep])
            elif dep in graph and dep not in state:
                visit(dep, [*trail, dep])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, " ; ".join(" → ".join(c) for c in circles)


def test_no_import_runs_back_up_a_layer():
    rank = {m: i for i, (_, modules) in enumerate(LAYERS) for m in modules}
    upward = [
        f"kbgen/{m}.py:{line}: {m} ({LAYERS[rank[m]][0]}) imports {d} ({LAYERS[rank[d]][0]})"
        for m, edges in _imports().items()
        for d, line in edges.items()
        if d in rank and rank[d] > rank[m]
    ]
    assert not upward, "\n".join(upward)


def test_only_the_door_imports_mkdocs():
    inside = [
        f"kbgen/{m}.py:{edges['mkdocs']}" for m, edges in _imports().items() if "mkdocs" in edges and m not in DOOR
    ]
    assert not inside, f"MkDocs imported outside {sorted(DOOR)}: {inside}"


def test_private_names_of_mkdocs_only_in_their_adapter():
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in _runs(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mkdocs"):
                hidden = [a.name for a in node.names if a.name.startswith("_")]
                if hidden and path.stem != "mkdocs_private":
                    found.append(f"kbgen/{path.name}:{node.lineno}: {', '.join(hidden)}")
    assert not found, "import them from kbgen/mkdocs_private.py: " + "; ".join(found)


def test_no_module_imports_another_modules_private_name():
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in _runs(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                hidden = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if hidden:
                    found.append(f"kbgen/{path.name}:{node.lineno}: {', '.join(hidden)} from .{node.module or ''}")
    assert not found, "make them public where they are shared: " + "; ".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from . import a\n", {"a"}),
        ("from .a import x\nimport mkdocs.utils\n", {"a", "mkdocs"}),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import y\n", set()),
        ("def f():\n    from .c import z\n", {"c"}),
    ],
)
def test_the_import_reader_sees_what_runs(tmp_path, monkeypatch, source, expected):
    (tmp_path / "m.py").write_text(source)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path)
    assert set(_imports()["m"]) == expected
