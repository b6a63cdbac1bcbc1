"""The house: data flows one way. No import circle, the core imports no format, templates import nothing above.

Read from the source (every import, those inside functions included; ``if TYPE_CHECKING:`` blocks are
annotations only and do not count), so a lazy import cannot hide a circle.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mapgen"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)
            found.add(base)
    out = set()
    for target in found:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)
    return out


def _unit(name: str) -> str:
    """A built-in format is one unit (``mapgen.builtin.xlsx_workbook``); a core module is its own."""
    parts = name.split(".")
    return ".".join(parts[:3]) if parts[:2] == ["mapgen", "builtin"] else name


@lru_cache(maxsize=1)
def graph() -> dict[str, set[str]]:
    modules = _modules()
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = {_unit(t) for t in _imports(name, path, set(modules))} - {_unit(name)}
        out.setdefault(_unit(name), set()).update(edges)
    return out


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_circle() -> None:
    assert _cycle(graph()) is None


def test_the_core_imports_no_format() -> None:
    """Formats import the core, never the other way; plugins.py names the built-ins as strings to load."""
    reaching = {module: sorted(t for t in targets if t.startswith("mapgen.builtin"))
                for module, targets in graph().items() if not module.startswith("mapgen.builtin")}
    assert {m: t for m, t in reaching.items() if t} == {}


def test_templates_import_nothing_above_them() -> None:
    """template.py is data: it reads and merges template files. Finding, loading and checking them (which
    tries conditions on sample deals and looks for cycles) is catalog.py's, above the steps and scheduler."""
    assert graph()["mapgen.template"] <= {"mapgen.errors", "mapgen.step", "mapgen.validation", "mapgen.yamlio"}
    below = {"mapgen.template", "mapgen.step", "mapgen.validation", "mapgen.yamlio", "mapgen.errors", "mapgen.markup"}
    assert {m for m in below if "mapgen.catalog" in graph()[m]} == set()
