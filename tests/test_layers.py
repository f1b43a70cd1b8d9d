"""The package layers of DESIGN.md section 1: each package imports only those before it,
no module imports another lazily or under TYPE_CHECKING, and there are no import loops.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scql_py"
# lowest first; a package may import itself and those before it
LAYERS = ["errors", "net", "mpc", "catalog", "storage", "sql", "engine", "cluster",
          "dbapi", "cli"]
TEST_ONLY = "testing"  # helpers for tests and benchmarks: no product module imports them


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return out


def _imports(module: str, tree: ast.Module, top_level_only: bool) -> list[tuple[str, int]]:
    """(imported scql_py module, line) of every import, or of the top-level ones."""
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("scql_py")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative: resolve against this module's package
                pkg = module.split(".")[: len(module.split(".")) - node.level + 1]
                base = ".".join(pkg + [node.module])
            if base.startswith("scql_py"):
                found += [(f"{base}.{a.name}", node.lineno) for a in node.names]
    return found


def _resolve(name: str, modules: dict[str, ast.Module]) -> str:
    """The module an imported name lives in (``from pkg import mod`` or a symbol)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_each_package_imports_only_the_layers_before_it():
    modules = _modules()
    wrong = []
    for module, tree in modules.items():
        mine = _layer(module)
        if mine is None:
            continue  # scql_py/__init__.py re-exports the DB-API
        for name, line in _imports(module, tree, top_level_only=False):
            theirs = _layer(_resolve(name, modules))
            if theirs is None or theirs == mine:
                continue
            if theirs == TEST_ONLY:
                wrong.append(f"{module}:{line} imports the test helpers {name}")
            elif mine != TEST_ONLY and LAYERS.index(theirs) > LAYERS.index(mine):
                wrong.append(f"{module}:{line} ({mine}) imports {name} ({theirs})")
    assert not wrong, "\n".join(wrong)


def test_no_lazy_or_type_checking_imports():
    wrong = []
    for module, tree in _modules().items():
        top = {line for _, line in _imports(module, tree, top_level_only=True)}
        for name, line in _imports(module, tree, top_level_only=False):
            if line not in top:
                wrong.append(f"{module}:{line} imports {name} inside a block")
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "TYPE_CHECKING":
                wrong.append(f"{module}:{node.lineno} uses TYPE_CHECKING")
    assert not wrong, "\n".join(wrong)


def test_no_import_loops():
    modules = _modules()
    graph = {m: {_resolve(n, modules) for n, _ in _imports(m, t, top_level_only=True)} - {m}
             for m, t in modules.items()}
    done: set[str] = set()
    path: list[str] = []

    def visit(m: str) -> None:
        if m in path:
            raise AssertionError("import loop: " + " -> ".join(path[path.index(m):] + [m]))
        if m in done:
            return
        path.append(m)
        for n in sorted(graph.get(m, ())):
            visit(n)
        path.pop()
        done.add(m)

    for m in sorted(graph):
        visit(m)
