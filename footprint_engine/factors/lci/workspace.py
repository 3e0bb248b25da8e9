"""Steps (2) and (7) of an LCI import: Brightway switched to a private, offline base directory and back.

The directory holds one project with bw2io's bundled ecoinvent 3.9 elementary-flow list (``biosphere3``, from
the data file bw2io ships: nothing is downloaded) and the three migrations the importers apply. It is built once
per process (:func:`prepared_workspace`), removed at exit, and nothing is written to it after that except bw2io's
log files, which :func:`clear_logs` removes after every import. Brightway's current project is process-global:
callers hold the import lock (footprint_engine.factors.lci.pipeline) while they are switched.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Workspace", "clear_logs", "prepared_workspace", "quiet", "switched_base_directory"]

_PROJECT = "tanlian-lci-import"
_MIGRATIONS = ("default-units", "simapro-water", "fix-ecoinvent-flows-pre-35")


@dataclass(frozen=True)
class Workspace:
    """The private Brightway base directory, and biosphere3 as code → (name, *categories)."""

    directory: Path
    biosphere: dict[str, tuple[str, ...]]


_workspace_state: Workspace | None = None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """bw2io prints progress to stdout and stderr and warns freely; none of it may reach CLI output."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def switched_base_directory(projects: Any, base: Path) -> Iterator[None]:
    """Brightway's projects in ``base`` (project :data:`_PROJECT`) inside, the previous state after."""
    previous = (projects.dir.parent, projects.logs_dir.parent, projects.current)
    logs = base / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    projects.change_base_directories(base, base_logs_dir=logs, project_name=_PROJECT, update=False)
    try:
        yield
    finally:
        projects.change_base_directories(
            previous[0], base_logs_dir=previous[1], project_name=previous[2], update=False
        )


def prepared_workspace() -> Workspace:
    """The private base directory with ``biosphere3`` and the migrations, built on first use in a process."""
    global _workspace_state
    if _workspace_state is None:
        import bw2data
        from bw2io.importers import Ecospold2BiosphereImporter
        from bw2io.migrations import Migration

        root = Path(tempfile.mkdtemp(prefix="tanlian-lci-brightway-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        directory = root / "brightway"
        with switched_base_directory(bw2data.projects, directory):
            # bw2io's create_default_biosphere3, without the full-text search index (2-3 s) nothing here uses
            biosphere_importer = Ecospold2BiosphereImporter()
            biosphere_importer.apply_strategies(verbose=False)
            biosphere_importer.write_database(searchable=False)
            for migration, (data, description) in _migration_data().items():
                Migration(migration).write(data, description)
            biosphere = {
                str(flow["code"]): (str(flow["name"]), *(str(c) for c in flow.get("categories") or ()))
                for flow in bw2data.Database("biosphere3")
            }
        clear_logs(directory)
        _workspace_state = Workspace(directory, biosphere)
    return _workspace_state


def _migration_data() -> dict[str, tuple[Any, str]]:
    """The migrations of :data:`_MIGRATIONS`, from bw2io's own data (its ``create_core_migrations`` writes these
    and a dozen more that these importers never apply, in about 15 s)."""
    from bw2io.data import get_ecoinvent_pre35_migration_data, get_simapro_water_migration_data
    from bw2io.units import get_default_units_migration_data

    data = {
        "default-units": (get_default_units_migration_data(), "Convert to default units"),
        "simapro-water": (
            get_simapro_water_migration_data(),
            "Change SimaPro water flows to more standard names",
        ),
        "fix-ecoinvent-flows-pre-35": (
            get_ecoinvent_pre35_migration_data(),
            "Update new biosphere UUIDs in Consequential 3.4",
        ),
    }
    assert tuple(data) == _MIGRATIONS
    return data


def clear_logs(directory: Path) -> None:
    """bw2io's strategies write a log file per call; the private directory keeps none of them."""
    logs = directory / "logs"
    if logs.is_dir():
        for entry in logs.iterdir():
            if entry.is_dir():
                for f in entry.iterdir():
                    if f.is_file():
                        f.unlink(missing_ok=True)
