"""Steps (3) and (4) of an LCI import: bw2io's three importers, and the exchanges they leave unlinked.

``ecospold2`` is read by ``SingleOutputEcospold2Importer``, ``simapro-csv`` by ``SimaProCSVImporter`` (with
bw2io's own curly-bracket name split added to its strategies), ``brightway-excel`` by ``ExcelImporter``. An
exchange that links to nothing after the strategies, or (ecospold2) an input the strategies would delete, is
reported by name (at most :data:`MAX_UNLINKED_SHOWN`) and the database refused.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from footprint_engine.errors import FactorLibraryError
from footprint_engine.factors.lci.source import FORMATS

__all__ = [
    "MAX_UNLINKED_SHOWN",
    "check_nothing_dropped",
    "describe_exchange",
    "no_activities",
    "read",
    "rename_database",
    "technosphere_inputs",
    "unlinked_error",
    "unreadable",
]

#: Unlinked exchanges named in the error.
MAX_UNLINKED_SHOWN = 10


def read(source: Path, fmt: str, name: str, path: Path) -> Any:
    from bw2io import ExcelImporter, SimaProCSVImporter, SingleOutputEcospold2Importer
    from bw2io.extractors.simapro_csv import EndOfDatasets

    try:
        if fmt == "ecospold2":
            return SingleOutputEcospold2Importer(
                str(source), name, use_mp=False, add_product_information=False
            )
        if fmt == "simapro-csv":
            importer = SimaProCSVImporter(str(source))
            _split_simapro_curly_names(importer)
            return importer
        return ExcelImporter(str(source))
    except EndOfDatasets:  # a SimaPro export without a process
        raise no_activities(path, fmt) from None
    except Exception as exc:  # bw2io raises assertions, KeyErrors, XML and zip errors on bad files
        raise unreadable(path, fmt, exc) from exc


def no_activities(path: Path, fmt: str) -> FactorLibraryError:
    return FactorLibraryError(
        "no activities in the LCI file",
        f"bw2io read 0 activities from {path.name}",
        f"check that the file is a {fmt} export with at least one process",
        field="file",
    )


def _split_simapro_curly_names(importer: Any) -> None:
    """SimaPro names ecoinvent 3 era processes ``product {GEO}| process | system model``; bw2io's default
    strategies split only the older ``name/GEO U`` form. Its own ``split_simapro_name_geo_curly_brackets`` gives
    the location (and the product name), right after the default split."""
    from bw2io.strategies import split_simapro_name_geo
    from bw2io.strategies.simapro import split_simapro_name_geo_curly_brackets

    curly = functools.partial(split_simapro_name_geo_curly_brackets, suffix=r"(\|.*)?")
    at = importer.strategies.index(split_simapro_name_geo) + 1
    importer.strategies.insert(at, curly)


def unreadable(path: Path, fmt: str, exc: BaseException) -> FactorLibraryError:
    detail = f"{type(exc).__name__}: {exc}".strip()
    return FactorLibraryError(
        "unreadable LCI file",
        f"bw2io could not read {path.name} as {fmt} ({detail[:300]})",
        f"export the database again as {fmt}, or give the format the file is in ({', '.join(FORMATS)})",
        field="file",
    )


def rename_database(importer: Any, name: str) -> None:
    """Give the imported database the caller's name (before the strategies, so links use it)."""
    old = importer.db_name
    importer.db_name = name
    for ds in importer.data:
        if ds.get("database") == old:
            ds["database"] = name
        for exc in ds.get("exchanges", []):
            if exc.get("database") == old:
                exc["database"] = name


def technosphere_inputs(datasets: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {
        id(exc): exc
        for ds in datasets
        for exc in ds.get("exchanges", [])
        if exc.get("type") == "technosphere" and exc.get("amount")
    }


def check_nothing_dropped(before: dict[int, dict[str, Any]], datasets: list[dict[str, Any]]) -> None:
    """bw2io's ecospold2 strategies delete the inputs they cannot link (``delete_exchanges_missing_activity``,
    ``delete_ghost_exchanges``), and with them the upstream emissions; here such an input is an unlinked one."""
    kept = {id(exc) for ds in datasets for exc in ds.get("exchanges", [])}
    dropped = [exc for key, exc in before.items() if key not in kept]
    if dropped:
        raise unlinked_error(
            dropped, why="inputs whose supplying dataset is not in the import; bw2io would drop them"
        )


def unlinked_error(exchanges: list[dict[str, Any]], *, why: str | None = None) -> FactorLibraryError:
    shown = "; ".join(describe_exchange(e) for e in exchanges[:MAX_UNLINKED_SHOWN])
    more = f" and {len(exchanges) - MAX_UNLINKED_SHOWN} more" if len(exchanges) > MAX_UNLINKED_SHOWN else ""
    return FactorLibraryError(
        "unlinked exchanges",
        f"{len(exchanges)} exchanges link to no activity or elementary flow"
        f"{f' ({why})' if why else ' after bw2io strategies'}: {shown}{more}",
        "export the database linked (a system model), with every upstream activity it uses, and elementary flows "
        "named as in ecoinvent 3.9 or SimaPro",
        field="file",
    )


def describe_exchange(exc: dict[str, Any]) -> str:
    where = "/".join(str(c) for c in exc.get("categories") or () if c)
    parts = [p for p in (exc.get("type"), where, exc.get("unit"), exc.get("location")) if p]
    return f"{exc.get('name')!r} ({', '.join(str(p) for p in parts)})"
