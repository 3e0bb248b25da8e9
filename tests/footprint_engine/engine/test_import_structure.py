"""The engine's modules depend on each other one way (document parts → rules → document → calculation), and
none imports another's private names.

An import counts wherever it is: at module level, inside a function, or under ``TYPE_CHECKING`` (grimp records
every import statement of a module).
"""

from __future__ import annotations

import ast
import itertools
from collections import deque
from pathlib import Path

import grimp

import footprint_engine

PACKAGE = "footprint_engine"
ROOT = Path(footprint_engine.__file__).parent


def strongly_connected_components(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm over the direct imports of every module of the package."""
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in imports[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            components.append(sorted(component))

    for module in imports:
        if module not in index:
            visit(module)
    return components


def describe_cycle(graph: grimp.ImportGraph, component: list[str]) -> str:
    """The shortest import loop through the component's first module, with the import lines that make it."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    last = start
    while queue:  # breadth first from start until an import leads back to it
        last = queue.popleft()
        targets = graph.find_modules_directly_imported_by(last) & members
        if start in targets:
            break
        for target in sorted(targets - came_from.keys() - {start}):
            came_from[target] = last
            queue.append(target)
    path = [last]
    while path[-1] != start:
        path.append(came_from[path[-1]])
    loop = [*reversed(path), start]
    lines = [
        f"  {d['importer']}:{d['line_number']}: {d['line_contents']}"
        for importer, imported in itertools.pairwise(loop)
        for d in graph.get_import_details(importer=importer, imported=imported)
    ]
    return " -> ".join(loop) + "\n" + "\n".join(lines)


def test_no_import_cycle_between_engine_modules():
    graph = grimp.build_graph(PACKAGE)
    cycles = [c for c in strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, "import cycles in footprint_engine:\n" + "\n".join(
        f"{c}\n{describe_cycle(graph, c)}" for c in cycles
    )


def private_imports(root: Path) -> list[str]:
    """``from <an engine module> import _name`` (absolute or relative) in the package's files, at any level."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = "." * node.level + (node.module or "")
            if not (node.level or module == PACKAGE or module.startswith(PACKAGE + ".")):
                continue
            found += [
                f"{path.relative_to(root.parent)}:{node.lineno}: from {module} import {alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            ]
    return found


def test_no_module_imports_private_names_of_another():
    found = private_imports(ROOT)
    assert not found, "private names imported across footprint_engine modules:\n" + "\n".join(found)
