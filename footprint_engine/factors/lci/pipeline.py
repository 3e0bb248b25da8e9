"""import_lci: the steps of an LCI import in order, each in its own module (numbered as in the package
docstring, footprint_engine.factors.lci)."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from footprint_engine.brightway import import_bw2calc
from footprint_engine.factors.gwp import GwpSet, characterisation
from footprint_engine.factors.lci.importers import (
    check_nothing_dropped,
    no_activities,
    read,
    rename_database,
    technosphere_inputs,
    unlinked_error,
    unreadable,
)
from footprint_engine.factors.lci.inventory import solve_inventories
from footprint_engine.factors.lci.result import LciImport, build_result
from footprint_engine.factors.lci.source import check_arguments, default_name, prepare_source
from footprint_engine.factors.lci.workspace import (
    clear_logs,
    prepared_workspace,
    quiet,
    switched_base_directory,
)

__all__ = ["import_lci"]

#: One import at a time in the process: Brightway's current project is process-global.
_lock = threading.RLock()


def import_lci(
    path: str | Path,
    fmt: str,
    *,
    gwp_set: GwpSet = "AR6",
    source_id: str = "licensed-lci",
    owner: str | None = None,
    id_prefix: str = "lci",
    name: str | None = None,
    brightway_dir: str | Path | None = None,
) -> LciImport:
    """Import the LCI database at ``path`` (format ``fmt``) as factors; see footprint_engine.factors.lci."""
    # (1): arguments, path and size
    check_arguments(fmt, source_id, id_prefix, name)
    characterisation("CO2/fossil", gwp_set)  # refuses an unknown GWP set before any work
    path = Path(path)
    bc = import_bw2calc(brightway_dir)
    with _lock, quiet(), tempfile.TemporaryDirectory(prefix="tanlian-lci-") as work_dir:
        source = prepare_source(path, fmt, Path(work_dir))
        import bw2data
        import bw2io

        workspace = prepared_workspace()
        # (2): the private Brightway directory, (7): the previous one restored on the way out
        with switched_base_directory(bw2data.projects, workspace.directory):
            try:
                # (3): bw2io's importer and its strategies
                importer = read(source, fmt, name or default_name(path), path)
                if not getattr(importer, "data", None):
                    raise no_activities(path, fmt)
                if name:
                    rename_database(importer, name)
                if importer.db_name == "biosphere3":
                    check_arguments(fmt, source_id, id_prefix, importer.db_name)  # refuses the name
                inputs = technosphere_inputs(importer.data)
                try:
                    importer.apply_strategies(verbose=False)
                except Exception as exc:  # a strategy failing on odd data is a data error
                    raise unreadable(path, fmt, exc) from exc
                # (4): every exchange linked
                if fmt == "ecospold2":
                    check_nothing_dropped(inputs, importer.data)
                unlinked = list(importer.unlinked)
                if unlinked:
                    raise unlinked_error(unlinked)
                database = str(importer.db_name)
                # (5): inventories
                inventories = solve_inventories(bc, importer.data, workspace.biosphere)
            finally:
                clear_logs(workspace.directory)
    if not inventories:
        raise no_activities(path, fmt)
    # (6): factors
    return build_result(
        inventories,
        database=database,
        fmt=fmt,
        gwp_set=gwp_set,
        source_id=source_id,
        owner=owner,
        id_prefix=id_prefix,
        bw2io_version=str(bw2io.__version__),
    )
