"""An edge install (``pip install tanlian`` or ``tanlian[gateway]``) leaves out Brightway, web3, the database and the
HTTP server: the base dependency set names none of them, and importing the gateway and the signing core pulls in
none of them."""

from __future__ import annotations

import importlib.metadata
import json
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

import node_service.credentials

ROOT = Path(__file__).resolve().parents[2]
#: distributions only the node needs (server, database, chain, footprint engine)
HEAVY = frozenset(
    {"bw2calc", "bw2data", "bw-processing", "web3", "fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg"}
)
#: the same as import names
HEAVY_MODULES = frozenset(
    {"bw2calc", "bw2data", "bw_processing", "web3", "fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg"}
)
EDGE_PACKAGES = ("meter_gateway", "node_service.credentials")


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement (PEP 503)."""
    name = re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]


def _edge_requirements() -> set[str]:
    project = _project()
    return {_name(r) for r in project["dependencies"]} | {
        _name(r) for r in project["optional-dependencies"]["gateway"]
    }


def test_the_edge_dependency_sets_leave_the_node_out() -> None:
    edge = _edge_requirements()
    assert edge, "the base set holds at least the signing core's packages"
    assert not edge & HEAVY, f"the base or gateway set names {sorted(edge & HEAVY)}"


def test_the_node_and_dev_extras_install_everything() -> None:
    extras = _project()["optional-dependencies"]
    assert {_name(r) for r in extras["node"]} >= HEAVY
    assert "tanlian[node]" in extras["dev"]


def test_the_edge_packages_import_only_what_the_base_set_installs() -> None:
    """Every third-party package meter_gateway and node_service.credentials import, directly or through other
    modules, is installed by the base set."""
    graph = grimp.build_graph("node_service", "meter_gateway", include_external_packages=True, cache_dir=None)
    reached: set[str] = set()
    for package in EDGE_PACKAGES:
        reached |= graph.find_upstream_modules(package, as_package=True)
    external = {m.split(".")[0] for m in reached} - {"node_service", "meter_gateway"}
    third_party = {m for m in external if m not in sys.stdlib_module_names}
    distributions = importlib.metadata.packages_distributions()
    needed = {_name(d) for m in third_party for d in distributions.get(m, [m])}
    base = {_name(r) for r in _project()["dependencies"]}
    assert needed <= base, f"imported by the edge packages but not in the base set: {sorted(needed - base)}"


def test_importing_the_edge_packages_loads_nothing_heavy() -> None:
    credentials = [
        f"node_service.credentials.{m.name}" for m in pkgutil.iter_modules(node_service.credentials.__path__)
    ]
    modules = ["meter_gateway", "node_service.credentials", *credentials]
    assert "node_service.credentials.vc" in modules and "node_service.credentials.eddsa_jcs_2022" in modules
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    loaded = {m.split(".")[0] for m in json.loads(done.stdout)}
    assert not loaded & HEAVY_MODULES, f"importing {modules} loaded {sorted(loaded & HEAVY_MODULES)}"
