"""Licensed background databases through Brightway's own importers (bw2io), offline.

An organisation that holds a licence for an LCI database (ecoinvent, a national database, a consultant's SimaPro
library) imports it as cradle-to-gate factors of its own::

    import_lci(path, fmt, *, gwp_set="AR6", source_id="licensed-lci", owner=None, id_prefix="lci", name=None,
               brightway_dir=None) -> LciImport

``fmt`` is one of :data:`FORMATS`:

* ``"ecospold2"``: a directory of ``.spold`` files, one ``.spold`` file, or a ``.zip`` of ``.spold`` files
  (bw2io ``SingleOutputEcospold2Importer``; elementary flows linked by their ecoinvent UUID; the database is named
  after the file or directory unless ``name`` is given);
* ``"simapro-csv"``: a SimaPro CSV process export, semicolon-separated (bw2io ``SimaProCSVImporter``; SimaPro flow
  names normalised to ecoinvent's by bw2io's own tables; named after the SimaPro project);
* ``"brightway-excel"``: a Brightway Excel workbook (bw2io ``ExcelImporter``; named by its ``Database`` cell).

Each import (the steps are numbered in the code):

1. checks the arguments, the path and its size (at most :data:`MAX_LCI_BYTES`, unpacked);
2. switches Brightway, for the time of the import only, to a private base directory holding one project with
   bw2io's bundled ecoinvent 3.9 elementary-flow list (``biosphere3``, from the data file bw2io ships: nothing is
   downloaded) and the three bw2io migrations these importers apply (``default-units``, ``simapro-water``,
   ``fix-ecoinvent-flows-pre-35``); that directory is built once per process and removed at exit, and nothing is
   ever written to it after that;
3. reads the file with bw2io's importer and applies the importer's own strategies;
4. refuses the database when an exchange is still unlinked (up to 10 named; for ecospold2 also the inputs that
   bw2io's strategies delete because their supplying dataset is not in the import) or when it holds no
   activity;
5. computes with bw2calc, for every activity, the life-cycle inventory of one unit of its reference product
   (one factorisation of the technosphere matrix, one solve per activity);
6. keeps the greenhouse-gas flows (:data:`GHG_FLOWS`: ecoinvent flow name and compartment → the engine's
   ``GAS/origin`` key) as kg per unit; a flow that the IPCC 2021 GWP100 method bw2io bundles characterises but
   that the engine has no key for is listed in ``unmatched_flows``; other flows are not greenhouse gases;
7. restores Brightway's previous base directory and project.

The result holds one :class:`~footprint_engine.factors.model.Factor` per activity (kind ``material``, id
``f"{id_prefix}/{database slug}/{activity code}"``, not redistributable, owned by ``owner``) with masses per gas:
the engine characterises them with the library's GWP set when a footprint uses the factor. The GWP100 score of
each factor under ``gwp_set`` comes alongside, for display. An activity whose unit has no engine unit, or whose
net inventory of a gas is negative (the engine takes emissions >= 0), is left out and named in ``skipped``.

Brightway's current project is process-global state that the footprint engine also uses: **call import_lci under
the same lock as the engine's calculations** (the node's ``node_service.services.footprints.engine`` lock) and
pass the same ``brightway_dir`` as ``CalculationOptions.brightway_dir`` (it applies only when Brightway is not yet
imported in the process). Parameterised datasets are imported with their stored amounts (formulas are not
re-evaluated).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import math
import re
import shutil
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from footprint_engine.brightway import import_bw2calc
from footprint_engine.errors import FactorLibraryError
from footprint_engine.factors.gwp import GwpSet, characterisation
from footprint_engine.factors.model import Factor
from footprint_engine.factors.sources import data_source

__all__ = [
    "FORMATS",
    "GHG_FLOWS",
    "IPCC_2021_GWP100_FLOWS",
    "MAX_LCI_BYTES",
    "UNITS",
    "LciFormat",
    "LciImport",
    "flow_key_of",
    "import_lci",
]

LciFormat = Literal["ecospold2", "simapro-csv", "brightway-excel"]
FORMATS: tuple[str, ...] = get_args(LciFormat)

#: Largest input accepted: the file, or the sum of the ``.spold`` files of a directory or zip, unpacked.
MAX_LCI_BYTES = 64 * 1024 * 1024
#: Most ``.spold`` files a directory or zip may hold.
MAX_SPOLD_FILES = 100_000
#: Unlinked exchanges named in the error.
MAX_UNLINKED_SHOWN = 10

#: (ecoinvent elementary-flow name, top compartment) → engine flow key "GAS/origin". Emissions count in every air
#: sub-compartment; in "lower stratosphere + upper troposphere" a fossil origin becomes "aircraft" (reported
#: separately, ISO 14067 §7.3). "Carbon dioxide, in air" is the uptake of CO2 into biomass.
GHG_FLOWS: dict[tuple[str, str], str] = {
    ("Carbon dioxide, fossil", "air"): "CO2/fossil",
    ("Carbon dioxide, non-fossil", "air"): "CO2/biogenic",
    ("Carbon dioxide, from soil or biomass stock", "air"): "CO2/dluc",
    ("Carbon dioxide, in air", "natural resource"): "CO2/biogenic-removal",
    ("Methane, fossil", "air"): "CH4/fossil",
    ("Methane, non-fossil", "air"): "CH4/biogenic",
    ("Methane, from soil or biomass stock", "air"): "CH4/dluc",
    ("Dinitrogen monoxide", "air"): "N2O/fossil",
    ("Sulfur hexafluoride", "air"): "SF6/fossil",
    ("Nitrogen fluoride", "air"): "NF3/fossil",
    ("Methane, tetrafluoro-, R-14", "air"): "CF4/fossil",
    ("Ethane, hexafluoro-, HFC-116", "air"): "C2F6/fossil",
    ("Ethane, 1,1,1,2-tetrafluoro-, HFC-134a", "air"): "HFC-134a/fossil",
    ("Methane, trifluoro-, HFC-23", "air"): "HFC-23/fossil",
    ("Methane, difluoro-, HFC-32", "air"): "HFC-32/fossil",
}
_AIRCRAFT_SUBCOMPARTMENT = "lower stratosphere + upper troposphere"

#: (name, top compartment) of every elementary flow that the IPCC 2021 GWP100 methods bundled with bw2io 0.9.17
#: characterise (climate change: fossil, biogenic, land use; short-lived climate forcers left out): what counts as
#: a greenhouse gas when a flow has no engine key. test_lci_import.py checks it against bw2io's
#: data/lcia/lcia_39_ecoinvent.zip (reading that file takes seconds).
IPCC_2021_GWP100_FLOWS: frozenset[tuple[str, str]] = frozenset(
    {("Carbon dioxide, to soil or biomass stock", "soil")}
) | frozenset(
    (name, "air")
    for name in (
        "Bromopropane",
        "Butane",
        "Carbon dioxide, fossil",
        "Carbon dioxide, from soil or biomass stock",
        "Chloroform",
        "Dinitrogen monoxide",
        "Ethane",
        "Ethane, 1,1,1,2-tetrafluoro-, HFC-134a",
        "Ethane, 1,1,1-trichloro-, HCFC-140",
        "Ethane, 1,1,1-trifluoro-, HFC-143a",
        "Ethane, 1,1,2-trichloro-1,2,2-trifluoro-, CFC-113",
        "Ethane, 1,1-dichloro-1-fluoro-, HCFC-141b",
        "Ethane, 1,1-difluoro-, HFC-152a",
        "Ethane, 1,2-dichloro-",
        "Ethane, 1,2-dichloro-1,1,2,2-tetrafluoro-, CFC-114",
        "Ethane, 1-chloro-1,1-difluoro-, HCFC-142b",
        "Ethane, 2,2-dichloro-1,1,1-trifluoro-, HCFC-123",
        "Ethane, 2-chloro-1,1,1,2-tetrafluoro-, HCFC-124",
        "Ethane, chloropentafluoro-, CFC-115",
        "Ethane, hexafluoro-, HFC-116",
        "Ethane, pentafluoro-, HFC-125",
        "Methane, bromo-, Halon 1001",
        "Methane, bromochlorodifluoro-, Halon 1211",
        "Methane, bromotrifluoro-, Halon 1301",
        "Methane, chloro-fluoro-, HCFC-31",
        "Methane, chlorodifluoro-, HCFC-22",
        "Methane, chlorotrifluoro-, CFC-13",
        "Methane, dichloro-, HCC-30",
        "Methane, dichlorodifluoro-, CFC-12",
        "Methane, dichlorofluoro-, HCFC-21",
        "Methane, difluoro-, HFC-32",
        "Methane, fossil",
        "Methane, from soil or biomass stock",
        "Methane, monochloro-, R-40",
        "Methane, non-fossil",
        "Methane, tetrachloro-, R-10",
        "Methane, tetrafluoro-, R-14",
        "Methane, trichlorofluoro-, CFC-11",
        "Methane, trifluoro-, HFC-23",
        "Monochloroethane",
        "Nitrogen fluoride",
        "Perfluoropentane",
        "Propane",
        "Sulfur hexafluoride",
        "Tetrachloroethylene",
        "Trichloroethylene",
    )
)

#: Brightway unit names (after bw2io's ``normalize_units``) → engine unit names (footprint_engine.units).
UNITS: dict[str, str] = {
    "kilogram": "kg",
    "gram": "g",
    "ton": "t",
    "kilowatt hour": "kWh",
    "megawatt hour": "MWh",
    "watt hour": "Wh",
    "kilojoule": "kJ",
    "megajoule": "MJ",
    "gigajoule": "GJ",
    "ton kilometer": "tkm",
    "kilogram kilometer": "kg*km",
    "cubic meter": "m3",
    "normal cubic meter": "Nm3",
    "litre": "L",
    "square meter": "m^2",
    "meter": "m",
    "kilometer": "km",
    "unit": "piece",
    "hour": "hour",
}

_PROJECT = "tanlian-lci-import"
_MIGRATIONS = ("default-units", "simapro-water", "fix-ecoinvent-flows-pre-35")
_lock = threading.RLock()


@dataclass(frozen=True)
class _Template:
    """The private Brightway base directory, and biosphere3 as code → (name, *categories)."""

    directory: Path
    biosphere: dict[str, tuple[str, ...]]


_template_state: _Template | None = None


class LciImport(BaseModel):
    """What :func:`import_lci` made of a database."""

    model_config = ConfigDict(frozen=True)

    factors: list[Factor]
    database: str = Field(description="The database name, from the file or the caller.")
    activities: int = Field(description="Activities in the imported database (factors + skipped).")
    skipped: list[str] = Field(description="Activities left out, each with the reason.")
    unmatched_flows: list[str] = Field(
        description="Greenhouse-gas flows (IPCC 2021 GWP100) in the inventories that the engine has no key for."
    )
    gwp100: dict[str, float] = Field(description="Factor id → kgCO2e per unit under gwp_set, for display.")
    gwp_set: str
    format: str
    bw2io_version: str


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
    """Import the LCI database at ``path`` (format ``fmt``) as factors; see the module docstring."""
    # (1): arguments, path and size
    _check_arguments(fmt, source_id, id_prefix, name)
    characterisation("CO2/fossil", gwp_set)  # refuses an unknown GWP set before any work
    path = Path(path)
    bc = import_bw2calc(brightway_dir)
    with _lock, _quiet(), tempfile.TemporaryDirectory(prefix="tanlian-lci-") as work_dir:
        source = _prepare_source(path, fmt, Path(work_dir))
        import bw2data
        import bw2io

        template = _template()
        # (2): the private Brightway directory, (7): the previous one restored on the way out
        with _switched_base_directory(bw2data.projects, template.directory):
            try:
                # (3): bw2io's importer and its strategies
                importer = _read(source, fmt, name or _default_name(path), path)
                if not getattr(importer, "data", None):
                    raise _no_activities(path, fmt)
                if name:
                    _rename(importer, name)
                if importer.db_name == "biosphere3":
                    _check_arguments(fmt, source_id, id_prefix, importer.db_name)  # refuses the name
                inputs = _technosphere_inputs(importer.data)
                try:
                    importer.apply_strategies(verbose=False)
                except Exception as exc:  # a strategy failing on odd data is a data error
                    raise _unreadable(path, fmt, exc) from exc
                # (4): every exchange linked
                if fmt == "ecospold2":
                    _check_nothing_dropped(inputs, importer.data)
                unlinked = list(importer.unlinked)
                if unlinked:
                    raise _unlinked(unlinked)
                database = str(importer.db_name)
                # (5): inventories
                inventories = _inventories(bc, importer.data, template.biosphere)
            finally:
                _clear_logs(template.directory)
    if not inventories:
        raise _no_activities(path, fmt)
    # (6): factors
    return _build(
        inventories,
        database=database,
        fmt=fmt,
        gwp_set=gwp_set,
        source_id=source_id,
        owner=owner,
        id_prefix=id_prefix,
        bw2io_version=str(bw2io.__version__),
    )


# -- (1) arguments and the source ----------------------------------------------------------------------------


def _check_arguments(fmt: str, source_id: str, id_prefix: str, name: str | None) -> None:
    if fmt not in FORMATS:
        raise FactorLibraryError(
            "unknown LCI format", f"{fmt!r}", f"use one of {', '.join(FORMATS)}", field="format"
        )
    if data_source(source_id) is None:
        raise FactorLibraryError(
            "unknown data source",
            f"{source_id!r} is not in footprint_engine.factors.sources",
            "use 'licensed-lci' (or 'private' for a company's own database)",
            field="sourceId",
        )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", id_prefix):
        raise FactorLibraryError(
            "bad factor id prefix",
            f"{id_prefix!r}",
            "give one path segment of letters, digits, '.', '_' or '-', such as 'lci'",
            field="idPrefix",
        )
    if name is not None and (not name.strip() or name == "biosphere3"):
        raise FactorLibraryError(
            "bad database name",
            f"{name!r}" + (" is Brightway's elementary-flow database" if name == "biosphere3" else ""),
            "give the database a non-empty name of its own",
            field="name",
        )


def _prepare_source(path: Path, fmt: str, work: Path) -> Path:
    """The path to hand to bw2io: the file itself, or a directory of ``.spold`` files."""
    if not path.exists():
        raise FactorLibraryError(
            "LCI file not found", f"{path} does not exist", "give the path of the exported file", field="file"
        )
    if fmt != "ecospold2":
        if not path.is_file():
            raise FactorLibraryError(
                "LCI file is not a file",
                f"{path} is a directory",
                f"give the {fmt} file itself",
                field="file",
            )
        _check_size(path.stat().st_size, path)
        return path
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".spold"]
        _check_count(len(files), path)
        _check_size(sum(p.stat().st_size for p in files), path)
        return path
    if path.suffix.lower() == ".spold":
        _check_size(path.stat().st_size, path)
        target = work / "spold"
        target.mkdir()
        shutil.copyfile(path, target / path.name)
        return target
    return _unzip_spold(path, work / "spold")


def _unzip_spold(path: Path, target: Path) -> Path:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FactorLibraryError(
            "unreadable LCI file",
            f"{path.name} is neither a directory, a .spold file nor a zip of them ({exc})",
            "give a directory of .spold files, one .spold file, or a .zip of .spold files",
            field="file",
        ) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".spold")]
        _check_count(len(members), path)
        _check_size(sum(m.file_size for m in members), path)
        target.mkdir()
        budget = MAX_LCI_BYTES
        for i, member in enumerate(members):
            # the base name only, numbered: a member's name never chooses where it is written
            with (
                archive.open(member) as src,
                (target / f"{i:06d}_{Path(member.filename).name}").open("wb") as dst,
            ):
                while chunk := src.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:  # the sizes in the directory lied
                        _check_size(MAX_LCI_BYTES + 1, path)
                    dst.write(chunk)
    return target


def _check_size(size: int, path: Path) -> None:
    if size > MAX_LCI_BYTES:
        raise FactorLibraryError(
            "LCI file too large",
            f"{path.name} holds {size} bytes, more than {MAX_LCI_BYTES} ({MAX_LCI_BYTES // 2**20} MiB)",
            "import the database in parts (e.g. by ISIC section) of at most 64 MiB each",
            field="file",
        )


def _check_count(count: int, path: Path) -> None:
    if count == 0:
        raise FactorLibraryError(
            "no activities in the LCI file",
            f"{path.name} holds no .spold file",
            "give a directory or zip holding the ecospold2 datasets (*.spold)",
            field="file",
        )
    if count > MAX_SPOLD_FILES:
        raise FactorLibraryError(
            "too many datasets",
            f"{path.name} holds {count} .spold files, more than {MAX_SPOLD_FILES}",
            "import the database in parts",
            field="file",
        )


def _default_name(path: Path) -> str:
    return path.stem if path.is_file() else path.name


# -- (2) Brightway state -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """bw2io prints progress to stdout and stderr and warns freely; none of it may reach CLI output."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _switched_base_directory(projects: Any, base: Path) -> Iterator[None]:
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


def _template() -> _Template:
    """The private base directory with ``biosphere3`` and the migrations, built on first use in a process."""
    global _template_state
    if _template_state is None:
        import bw2data
        from bw2io.importers import Ecospold2BiosphereImporter
        from bw2io.migrations import Migration

        root = Path(tempfile.mkdtemp(prefix="tanlian-lci-brightway-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        directory = root / "brightway"
        with _switched_base_directory(bw2data.projects, directory):
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
        _clear_logs(directory)
        _template_state = _Template(directory, biosphere)
    return _template_state


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


def _clear_logs(directory: Path) -> None:
    """bw2io's strategies write a log file per call; the private directory keeps none of them."""
    logs = directory / "logs"
    if logs.is_dir():
        for entry in logs.iterdir():
            if entry.is_dir():
                for f in entry.iterdir():
                    if f.is_file():
                        f.unlink(missing_ok=True)


# -- (3) reading, (4) linking --------------------------------------------------------------------------------


def _read(source: Path, fmt: str, name: str, path: Path) -> Any:
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
        raise _no_activities(path, fmt) from None
    except Exception as exc:  # bw2io raises assertions, KeyErrors, XML and zip errors on bad files
        raise _unreadable(path, fmt, exc) from exc


def _no_activities(path: Path, fmt: str) -> FactorLibraryError:
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


def _unreadable(path: Path, fmt: str, exc: BaseException) -> FactorLibraryError:
    detail = f"{type(exc).__name__}: {exc}".strip()
    return FactorLibraryError(
        "unreadable LCI file",
        f"bw2io could not read {path.name} as {fmt} ({detail[:300]})",
        f"export the database again as {fmt}, or give the format the file is in ({', '.join(FORMATS)})",
        field="file",
    )


def _rename(importer: Any, name: str) -> None:
    """Give the imported database the caller's name (before the strategies, so links use it)."""
    old = importer.db_name
    importer.db_name = name
    for ds in importer.data:
        if ds.get("database") == old:
            ds["database"] = name
        for exc in ds.get("exchanges", []):
            if exc.get("database") == old:
                exc["database"] = name


def _technosphere_inputs(datasets: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {
        id(exc): exc
        for ds in datasets
        for exc in ds.get("exchanges", [])
        if exc.get("type") == "technosphere" and exc.get("amount")
    }


def _check_nothing_dropped(before: dict[int, dict[str, Any]], datasets: list[dict[str, Any]]) -> None:
    """bw2io's ecospold2 strategies delete the inputs they cannot link (``delete_exchanges_missing_activity``,
    ``delete_ghost_exchanges``), and with them the upstream emissions; here such an input is an unlinked one."""
    kept = {id(exc) for ds in datasets for exc in ds.get("exchanges", [])}
    dropped = [exc for key, exc in before.items() if key not in kept]
    if dropped:
        raise _unlinked(
            dropped, why="inputs whose supplying dataset is not in the import; bw2io would drop them"
        )


def _unlinked(exchanges: list[dict[str, Any]], *, why: str | None = None) -> FactorLibraryError:
    shown = "; ".join(_describe_exchange(e) for e in exchanges[:MAX_UNLINKED_SHOWN])
    more = f" and {len(exchanges) - MAX_UNLINKED_SHOWN} more" if len(exchanges) > MAX_UNLINKED_SHOWN else ""
    return FactorLibraryError(
        "unlinked exchanges",
        f"{len(exchanges)} exchanges link to no activity or elementary flow"
        f"{f' ({why})' if why else ' after bw2io strategies'}: {shown}{more}",
        "export the database linked (a system model), with every upstream activity it uses, and elementary flows "
        "named as in ecoinvent 3.9 or SimaPro",
        field="file",
    )


def _describe_exchange(exc: dict[str, Any]) -> str:
    where = "/".join(str(c) for c in exc.get("categories") or () if c)
    parts = [p for p in (exc.get("type"), where, exc.get("unit"), exc.get("location")) if p]
    return f"{exc.get('name')!r} ({', '.join(str(p) for p in parts)})"


# -- (5) inventories -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inventory:
    code: str
    name: str
    unit: str
    location: str | None
    year: int | None
    flows: dict[tuple[str, str, str], float]  # (flow name, compartment, sub-compartment) → kg per unit


def _inventories(
    bc: Any, datasets: list[dict[str, Any]], biosphere: dict[str, tuple[str, ...]]
) -> list[_Inventory]:
    """Life-cycle inventory of one unit of each activity's reference product, solved by bw2calc.

    The matrices are built from the linked datasets as bw2data's ``Database.process`` builds them (production and
    substitution edges positive, consumption edges negative, biosphere edges into the biosphere matrix), but in
    float64 in memory, as the engine does: bw2data's processed datapackages hold float32 amounts.
    """
    import bw_processing as bwp
    import numpy as np
    from bw2data import labels

    processes = [ds for ds in datasets if ds.get("type", "process") in labels.process_node_types]
    column = {(ds["database"], ds["code"]): j for j, ds in enumerate(processes)}
    if len(column) < len(processes):
        codes = [str(ds["code"]) for ds in processes]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        raise FactorLibraryError(
            "duplicate activity codes",
            f"{len(duplicates)} codes name more than one activity: {', '.join(duplicates[:10])}",
            "give every activity its own code",
            field="file",
        )
    flow_row: dict[str, int] = {}
    t_rows: list[int] = []
    t_cols: list[int] = []
    t_vals: list[float] = []
    b_rows: list[int] = []
    b_cols: list[int] = []
    b_vals: list[float] = []
    no_production: list[str] = []
    for j, ds in enumerate(processes):
        produced = False
        for exc in ds.get("exchanges", []):
            kind, key, amount = exc.get("type"), tuple(exc.get("input") or ()), exc.get("amount")
            if kind not in labels.lci_edge_types:
                continue
            if not isinstance(amount, int | float) or not math.isfinite(amount):
                raise FactorLibraryError(
                    "exchange without a numeric amount",
                    f"{_describe_exchange(exc)} of {ds.get('name')!r} has amount {amount!r}",
                    "export the database with its amounts calculated (not as formulas only)",
                    field="file",
                )
            if kind in labels.biosphere_edge_types:
                if key[:1] != ("biosphere3",) or key[1] not in biosphere:
                    raise _unlinked([exc], why="elementary flows outside ecoinvent's biosphere3 list")
                b_rows.append(flow_row.setdefault(key[1], len(flow_row)))
                b_cols.append(j)
                b_vals.append(float(amount))
                continue
            if kind in labels.technosphere_positive_edge_types:
                sign = 1.0
                produced = produced or kind != "substitution"
            else:
                sign = -1.0
            if key not in column:
                raise _unlinked([exc])
            t_rows.append(column[key])
            t_cols.append(j)
            t_vals.append(sign * float(amount))
        if not produced:
            if ds.get("type") in labels.implicit_production_allowed_node_types:
                t_rows.append(j)
                t_cols.append(j)
                t_vals.append(1.0)
            else:
                no_production.append(repr(ds.get("name")))
    if no_production:
        raise FactorLibraryError(
            "activities without a reference product",
            f"{len(no_production)} activities have no production exchange: {', '.join(no_production[:10])}",
            "export every process with its reference product (production amount)",
            field="file",
        )
    if not flow_row:  # bw2calc needs a biosphere matrix; a zero entry keeps the shapes valid
        flow_row[next(iter(biosphere))] = 0
        b_rows.append(0)
        b_cols.append(0)
        b_vals.append(0.0)
    dp = bwp.create_datapackage(sequential=True, sum_intra_duplicates=True)
    flow_base = len(processes)  # biosphere ids must not collide with activity ids
    for matrix, matrix_rows, cols, vals in (
        ("technosphere_matrix", t_rows, t_cols, t_vals),
        ("biosphere_matrix", [flow_base + r for r in b_rows], b_cols, b_vals),
    ):
        indices = np.empty(len(matrix_rows), dtype=bwp.INDICES_DTYPE)
        indices["row"], indices["col"] = matrix_rows, cols
        dp.add_persistent_vector(
            matrix=matrix, name=matrix, indices_array=indices, data_array=np.array(vals, dtype=np.float64)
        )
    labels_by_row = {flow_base + r: _flow_label(biosphere[code]) for code, r in flow_row.items()}
    try:
        lca = bc.LCA({0: 1.0}, data_objs=[dp])
        lca.lci(factorize=True)
        flow_rows = {i: lca.dicts.biosphere[i] for i in labels_by_row}
        result = []
        for j, ds in enumerate(processes):
            lca.build_demand_array({j: 1.0})
            supply = lca.solve_linear_system()
            if not np.isfinite(supply).all():
                raise ValueError(
                    f"no finite solution for {ds.get('name')!r} (a singular technosphere matrix)"
                )
            inventory = lca.biosphere_matrix @ supply
            result.append(
                _Inventory(
                    code=str(ds["code"]),
                    name=str(ds.get("name") or ds["code"]),
                    unit=str(ds.get("unit") or ""),
                    location=ds.get("location"),
                    year=_year(ds),
                    flows={
                        labels_by_row[i]: float(inventory[r]) for i, r in flow_rows.items() if inventory[r]
                    },
                )
            )
    except Exception as exc:  # a singular or malformed technosphere matrix
        raise FactorLibraryError(
            "LCI database cannot be solved",
            f"bw2calc: {type(exc).__name__}: {exc}",
            "check that every activity produces its reference product (no zero production amounts)",
            field="file",
        ) from exc
    return result


def _flow_label(categories_and_name: tuple[str, ...]) -> tuple[str, str, str]:
    name, *categories = categories_and_name
    return (name, categories[0] if categories else "", categories[1] if len(categories) > 1 else "")


def _year(ds: dict[str, Any]) -> int | None:
    end = ds.get("end_date")
    if isinstance(end, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", end):
        return int(end[:4])
    return None


# -- (6) factors ---------------------------------------------------------------------------------------------


def flow_key_of(name: str, compartment: str, subcompartment: str = "") -> str | None:
    """The engine's flow key for an ecoinvent elementary flow, or None when it is not a mapped greenhouse gas."""
    key = GHG_FLOWS.get((name, compartment))
    if key is not None and key.endswith("/fossil") and subcompartment == _AIRCRAFT_SUBCOMPARTMENT:
        return key.replace("/fossil", "/aircraft")
    return key


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "lci"


def _geography(location: object) -> str:
    if not isinstance(location, str) or len(location.strip()) < 2 or location.strip().upper() == "GLOBAL":
        return "GLO"
    return location.strip()


def _build(
    inventories: list[_Inventory],
    *,
    database: str,
    fmt: str,
    gwp_set: GwpSet,
    source_id: str,
    owner: str | None,
    id_prefix: str,
    bw2io_version: str,
) -> LciImport:
    factors: list[Factor] = []
    skipped: list[str] = []
    unmatched: set[str] = set()
    scores: dict[str, float] = {}
    db_slug = _slug(database)
    for inv in inventories:
        label = f"{inv.name!r} ({inv.code})"
        emissions: dict[str, float] = {}
        for (flow, compartment, subcompartment), amount in inv.flows.items():
            key = flow_key_of(flow, compartment, subcompartment)
            if key is not None:
                emissions[key] = emissions.get(key, 0.0) + amount
            elif (flow, compartment) in IPCC_2021_GWP100_FLOWS:
                unmatched.add(f"{flow} ({'/'.join(c for c in (compartment, subcompartment) if c)})")
        # round-off of the solve (a few ulp of the largest flow) is zero, not an emission or a negative one
        scale = max((abs(v) for v in emissions.values()), default=0.0)
        emissions = {k: v for k, v in emissions.items() if abs(v) > 1e-12 * scale}
        negative = sorted(k for k, v in emissions.items() if v < 0)
        if negative:
            skipped.append(
                f"{label}: net {negative[0]} is {emissions[negative[0]]:.6g} kg per {inv.unit}; "
                "factors take emissions >= 0"
            )
            continue
        unit = UNITS.get(inv.unit)
        if unit is None:
            skipped.append(f"{label}: unit {inv.unit!r} has no engine unit (known: {', '.join(UNITS)})")
            continue
        factor = Factor(
            id=f"{id_prefix}/{db_slug}/{inv.code}",
            kind="material",
            key=_slug(inv.name),
            geography=_geography(inv.location),
            year=inv.year,
            unit=unit,
            emissions=emissions or {"CO2/fossil": 0.0},
            source=f"{database} (imported with bw2io {bw2io_version}, {fmt})",
            note=None if emissions else "no greenhouse-gas flow in this activity's life-cycle inventory",
            name_en=inv.name,
            category="lci-import",
            scope="cradle-to-gate",
            source_id=source_id,
            redistributable=False,
            owner=owner,
        )
        factors.append(factor)
        scores[factor.id] = math.fsum(v * characterisation(k, gwp_set) for k, v in factor.emissions.items())
    return LciImport(
        factors=factors,
        database=database,
        activities=len(inventories),
        skipped=skipped,
        unmatched_flows=sorted(unmatched),
        gwp100=scores,
        gwp_set=gwp_set,
        format=fmt,
        bw2io_version=bw2io_version,
    )
