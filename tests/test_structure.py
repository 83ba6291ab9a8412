"""The house's shape: imports run one way, the sandbox stands below what a lesson calls, and no
module grows past what a reader takes in."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("helpers", "scripts")
# What the sandbox may import of the rest: the lowest floor, which imports nothing above it.
FLOOR = {"helpers.errors", "helpers.facts", "helpers.fingerprints", "helpers.rules"}
MAX_LINES = 350


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules path imports, at any depth, leaving out imports for types only."""
    found: set[str] = set()
    here = module_name(path)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative: from the package of path
                package = here.split(".")[:-node.level + (path.name == "__init__.py")]
                base = ".".join([*package, node.module])
            # a submodule (from helpers.sandbox import ppk) or a name of the module itself
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                     for alias in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != here:
                found.add(name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return found


def graph() -> dict[str, set[str]]:
    paths = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    known = {module_name(p) for p in paths}
    return {module_name(p): imports(p, known) for p in paths}


def cycles(arrows: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(arrows.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(arrows):
        if node not in index:
            connect(node)
    return found


def test_the_imports_of_helpers_and_scripts_form_no_circle():
    assert cycles(graph()) == []


def test_a_circle_of_imports_is_found():  # the check above can fail
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_sandbox_imports_nothing_a_lesson_calls_only_the_lowest_floor():
    above = {module: sorted(name for name in imported if not name.startswith("helpers.sandbox")
                            and name not in FLOOR and name != "helpers")
             for module, imported in graph().items() if module.startswith("helpers.sandbox")}
    assert {module: names for module, names in above.items() if names} == {}


def test_the_lowest_floor_imports_nothing_above_it():
    arrows = graph()
    assert {module: sorted(arrows[module] - FLOOR) for module in FLOOR
            if arrows[module] - FLOOR} == {}


def test_no_module_of_the_helpers_is_longer_than_a_reader_takes_in():
    lengths = {str(p.relative_to(ROOT)): len(p.read_text().splitlines())
               for p in (ROOT / "helpers").rglob("*.py")}
    assert {path: n for path, n in lengths.items() if n > MAX_LINES} == {}
