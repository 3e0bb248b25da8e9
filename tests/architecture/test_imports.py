"""What import-linter's contracts (pyproject.toml, ``make lint``) cannot say about the code's structure:

- no import cycle between any two modules of the node's packages (function-level imports included);
- route modules (the node's api, the portal's routes, the resolver's routes) parse, call a service and shape the
  response: they never open a transaction, a session or a connection, never execute a statement, and never
  import sqlalchemy or node_service.db (import-linter's "routes-no-database" contract says the last part too;
  this test also catches database calls made through objects the route was handed).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("node_service", "footprint_engine", "identifier_resolver", "supplier_portal", "meter_gateway")
#: Alembic's environment and revisions are scripts Alembic loads by path, not modules of the node's structure.
CYCLE_EXEMPT = ("node_service.migrations",)

# --------------------------------------------------------------------------------------------- import cycles


def _exempt(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in CYCLE_EXEMPT)


def strongly_connected(modules: Iterable[str], imports: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the strongly connected components of the import graph with more than one
    module (each one an import cycle), each sorted, in the order found."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(sorted(imports.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(imports.get(succ, ())))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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


def one_cycle(component: list[str], imports: dict[str, set[str]]) -> list[str]:
    """A shortest import path from the component's first module back to itself, through the component."""
    start = component[0]
    members = set(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for succ in sorted(imports.get(module, set()) & members):
                if succ == start:
                    path = [module]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start]
                if succ not in previous:
                    previous[succ] = module
                    following.append(succ)
        frontier = following
    return component


def _describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    steps = []
    for importer, imported in itertools.pairwise(cycle):
        lines = sorted(
            d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)
        )
        steps.append(f"  {importer} -> {imported} (l.{', l.'.join(map(str, lines))})")
    return "\n".join(steps)


def test_no_import_cycles() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    modules = {m for m in graph.modules if not _exempt(m)}
    imports = {m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules} for m in modules}
    cycles = strongly_connected(modules, imports)
    report = [
        f"{len(c)} modules import each other: {', '.join(c)}; for example\n"
        + _describe(graph, one_cycle(c, imports))
        for c in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(report)


def test_cycle_finder_finds_a_cycle() -> None:
    imports = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert strongly_connected(imports, imports) == [["a", "b", "c"]]
    assert one_cycle(["a", "b", "c"], imports) == ["a", "b", "c", "a"]


# ------------------------------------------------------------------------------- no database in route modules

#: ``x.transaction(…)``, ``x.begin(…)``, ``x.connect(…)``, ``x.execute(…)``: a transaction, connection or statement
DATABASE_METHODS = frozenset({"transaction", "begin", "connect", "execute"})
#: ``Session(…)``, ``sessionmaker(…)``: a session made by hand
DATABASE_FACTORIES = frozenset({"Session", "sessionmaker"})
DATABASE_MODULES = ("sqlalchemy", "node_service.db")


def route_modules(root: Path = ROOT) -> list[Path]:
    """Every route module: the node's api (all of it), the portal's routes and the resolver's routes."""
    found = sorted((root / "node_service" / "api").rglob("*.py"))
    found += sorted((root / "supplier_portal" / "routes").glob("*.py"))
    found.append(root / "identifier_resolver" / "routes.py")
    return found


def _is_database_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in DATABASE_MODULES)


def database_uses(source: str, filename: str) -> list[str]:
    """``filename:line: what`` for each database call or import in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        what = None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in DATABASE_METHODS:
                what = f"calls .{func.attr}()"
            elif isinstance(func, ast.Attribute) and func.attr in DATABASE_FACTORIES:
                what = f"calls {func.attr}()"
            elif isinstance(func, ast.Name) and func.id in DATABASE_FACTORIES:
                what = f"calls {func.id}()"
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if _is_database_module(a.name)]
            if names:
                what = f"imports {', '.join(names)}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_database_module(node.module):
                what = f"imports from {node.module}"
            elif node.module == "node_service" and any(a.name == "db" for a in node.names):
                what = "imports node_service.db"
        if what is not None:
            found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")
    return sorted(found, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def database_uses_in_routes(root: Path = ROOT) -> list[str]:
    found = []
    for path in route_modules(root):
        found += database_uses(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return found


def test_route_modules_leave_the_database_to_services() -> None:
    assert len(route_modules()) > 10
    found = database_uses_in_routes()
    assert not found, "route modules must call a service instead:\n" + "\n".join(found)


def test_the_route_check_sees_database_calls_and_imports() -> None:
    source = """
from sqlalchemy import select
import node_service.db.models
from node_service import db

def route(node, engine):
    with node.db.transaction() as session:
        session.execute(select(1))
    with engine.connect() as conn, engine.begin():
        pass
    Session(engine)
    sessionmaker(engine)
"""
    found = database_uses(source, "r.py")
    assert [f.split(": ", 1)[0] for f in found] == [
        "r.py:2",
        "r.py:3",
        "r.py:4",
        "r.py:7",
        "r.py:8",
        "r.py:9",
        "r.py:9",
        "r.py:11",
        "r.py:12",
    ]


# ---------------------------------------------------------------------------------------------- internal modules


def internal_imports_from_outside(graph: grimp.ImportGraph) -> list[str]:
    """Imports of an internal module (a name part with a leading underscore, e.g. ``api._deps``) from outside
    the package that holds it: ``node_service.api._deps`` may be imported by ``node_service.api.*`` only."""
    found = []
    for module in sorted(graph.modules):
        parts = module.split(".")
        private = [i for i, part in enumerate(parts) if part.startswith("_") and not part.startswith("__")]
        if not private:
            continue
        owner = ".".join(parts[: private[0]])
        for importer in sorted(graph.find_modules_that_directly_import(module)):
            if importer != owner and not importer.startswith(owner + "."):
                found.append(f"{importer} imports {module}, internal to {owner}")
    return found


def test_internal_modules_are_imported_only_inside_their_package() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert internal_imports_from_outside(graph) == []
