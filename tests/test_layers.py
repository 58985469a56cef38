"""The package's shape, read from its own imports: no circle, no import that runs back up a layer, and MkDocs
only at the door (`plugin/` and `commands/`).

A module is named by its dotted path inside kbgen ("search.engine"; a package's `__init__.py` by the package,
"search"; kbgen's own `__init__.py` is "kbgen"). Imports under `if TYPE_CHECKING:` are left out: they never run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kbgen"

# The layers in the order data flows, each a set of top-level modules and packages. A module may import
# its own layer's modules and lower ones only.
LAYERS: list[tuple[str, set[str]]] = [
    ("foundations", {"problems", "paths", "fields", "i18n", "templates", "cache", "swap"}),
    ("text formats", {"text"}),
    ("the knowledge base as data", {"model", "bundles"}),
    ("checks", {"checks"}),
    ("readers", {"readers"}),
    ("search", {"search"}),
    ("views", {"views"}),
    ("writers", {"writers", "republish"}),
    ("insights", {"insights"}),
    ("authoring", {"authoring"}),
    ("the MkDocs door", {"plugin", "commands"}),
    ("the command and the Python API", {"cli", "kbgen"}),
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


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts) or "kbgen"] = path
    return found


def _imports() -> dict[str, dict[str, int]]:
    """module → {what it imports (kbgen modules by dotted name, "mkdocs" for MkDocs): the first line}."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        # the package a relative import starts from
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        if name == "kbgen":
            package = []
        edges: dict[str, int] = {}
        for node in _runs(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                start = [*base, *(node.module.split(".") if node.module else [])]
                for alias in node.names:  # `from . import a`: a module when one is called so
                    sub = ".".join([*start, alias.name])
                    targets.append(sub if sub in modules else ".".join(start) or "kbgen")
            else:
                absolute = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for target in absolute:
                    if target == "mkdocs" or target.startswith("mkdocs."):
                        targets.append("mkdocs")
                    elif target.startswith("kbgen."):
                        target = target[len("kbgen.") :]
                        while target not in modules and "." in target:
                            target = target.rsplit(".", 1)[0]
                        targets.append(target)
                    elif target == "kbgen":
                        targets.append("kbgen")
            for target in targets:
                edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for rank, (_, members) in enumerate(LAYERS):
        if top in members:
            return rank
    raise KeyError(module)


def _where(module: str) -> str:
    return _modules()[module].relative_to(PACKAGE.parent).as_posix()


def test_every_module_has_a_layer():
    placed = [m for _, members in LAYERS for m in members]
    assert len(placed) == len(set(placed))
    tops = {m.split(".")[0] for m in _modules()}
    assert tops == set(placed), "add a new module or package to LAYERS, in the layer it belongs to"


def _kbgen_edges() -> dict[str, dict[str, int]]:
    """Imports of kbgen's own modules. kbgen's `__init__.py` left out: Python runs it before any of them."""
    return {
        m: {d: line for d, line in edges.items() if d not in ("mkdocs", "kbgen", m)} for m, edges in _imports().items()
    }


def test_no_import_circle():
    graph = {m: set(edges) for m, edges in _kbgen_edges().items()}
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
    upward = [
        f"{_where(m)}:{line}: {m} ({LAYERS[_layer(m)][0]}) imports {d} ({LAYERS[_layer(d)][0]})"
        for m, edges in _kbgen_edges().items()
        for d, line in edges.items()
        if _layer(d) > _layer(m)
    ]
    assert not upward, "\n".join(upward)


def test_only_the_door_imports_mkdocs():
    inside = [
        f"{_where(m)}:{edges['mkdocs']}"
        for m, edges in _imports().items()
        if "mkdocs" in edges and m.split(".")[0] not in DOOR
    ]
    assert not inside, f"MkDocs imported outside {sorted(DOOR)}: {inside}"


def test_private_names_of_mkdocs_only_in_their_adapter():
    found = []
    for name, path in _modules().items():
        for node in _runs(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mkdocs"):
                hidden = [a.name for a in node.names if a.name.startswith("_")]
                if hidden and name != "plugin.mkdocs_private":
                    found.append(f"{_where(name)}:{node.lineno}: {', '.join(hidden)}")
    assert not found, "import them from kbgen/plugin/mkdocs_private.py: " + "; ".join(found)


def test_no_module_imports_another_modules_private_name():
    found = []
    for name, path in _modules().items():
        for node in _runs(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("kbgen")):
                hidden = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if hidden:
                    found.append(f"{_where(name)}:{node.lineno}: {', '.join(hidden)} from {node.module or '.'}")
    assert not found, "make them public where they are shared: " + "; ".join(found)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"m.py": "from . import a\n", "a.py": ""}, {"a"}),
        ({"m.py": "from .a import x\nimport mkdocs.utils\n", "a.py": ""}, {"a", "mkdocs"}),
        ({"m.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import y\n"}, set()),
        ({"m.py": "def f():\n    from .c import z\n"}, {"c"}),
        (
            {"p/__init__.py": "", "p/m.py": "from .. import a\nfrom ..q import r\n", "a.py": "", "q/r.py": ""},
            {"a", "q.r"},
        ),
        ({"p/__init__.py": "", "p/m.py": "from . import n\nfrom .n import x\n", "p/n.py": ""}, {"p.n"}),
        ({"p/m.py": "from kbgen.q.r import x\nimport kbgen\n", "q/r.py": ""}, {"q.r", "kbgen"}),
    ],
)
def test_the_import_reader_sees_what_runs(tmp_path, monkeypatch, files, expected):
    for name, source in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path)
    module = "p.m" if "p/m.py" in files else "m"
    assert set(_imports()[module]) == expected
