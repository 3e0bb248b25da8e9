"""An organisation's own factor table (CSV or XLSX) read into factors, all rows or none (docs/factors.md).

Reading, in order; every problem of every row is collected, and any problem refuses the whole file:

(1) the file: at most :data:`MAX_IMPORT_BYTES`; XLSX (by name or by its zip signature) or CSV in UTF-8 (a BOM is
    tolerated) or GB18030/GBK (what Excel in China saves); comma- or tab-separated;
(2) the header: every required column present (:data:`REQUIRED`, key or id, name_zh or name_en), no unknown
    column;
(3) each row (empty rows skipped; at most :data:`MAX_ROWS`): every cell checked against its rule —
    provenance (source_title and publisher) is required on every row;
(4) ids: each factor's id is put in the organisation's namespace ``org/<12 hex of its id>/…`` and must be
    unique in the file.

Values are kg of the gas per activity unit: ``unit`` is ``<kg|t|g><gas>/<activity unit>`` ("kgCO2e/t",
"tCO2/MWh", "gCO2e/kWh"), converted to kg.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, get_args

from pydantic import ValidationError

from footprint_engine.errors import FootprintEngineError
from footprint_engine.factors import FLOW_GASES, FLOW_ORIGINS, Factor, flow_key
from footprint_engine.factors.model import FactorKind
from footprint_engine.units import canonical_unit, check_unit
from node_service.errors import ValidationFailed

__all__ = [
    "COLUMNS",
    "MAX_IMPORT_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "ImportRefused",
    "RowProblem",
    "namespace",
    "read_factor_table",
]

MAX_IMPORT_BYTES = 8 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL = 2000
REQUIRED = ("value", "unit", "geography", "source_title", "publisher")
OPTIONAL = (
    "key",
    "id",
    "kind",
    "name_zh",
    "name_en",
    "gas",
    "origin",
    "year",
    "scope",
    "source_url",
    "valid_from",
    "notes",
    "category",
    "cpcd_code",
    "uncertainty_gsd",
    "verified_in",
)
COLUMNS = REQUIRED + OPTIONAL
_KINDS = get_args(FactorKind)
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-/]{0,199}")
_UNIT = re.compile(r"(kg|t|g)([A-Za-z0-9\-]+)/(.+)")
_THOUSANDS = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_MASS = {"kg": 1.0, "t": 1000.0, "g": 0.001}
_GEO_ALIASES = {"GLOBAL": "GLO", "WORLD": "GLO"}


@dataclass(frozen=True)
class RowProblem:
    """One problem: the row as numbered in the file (the header is row 1; 0: the file), column, rule, fix."""

    row: int
    column: str
    rule: str
    message: str
    fix: str

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "fix": self.fix,
        }


class ImportRefused(ValidationFailed):
    """The table has problems; ``errors`` lists every one. Nothing was stored."""

    def __init__(self, problems: list[RowProblem]) -> None:
        first = problems[0]
        where = f"row {first.row}, column {first.column}" if first.row else first.column
        super().__init__(
            f"factor table refused, nothing stored: {len(problems)} problem(s); first at {where}: {first.message}",
            fix=f"{first.fix} (every problem is listed in errors)",
            field=first.column,
        )
        self.problems = problems
        self.errors = [p.as_json() for p in problems]


def namespace(organisation_id: str) -> str:
    """``org/<first 12 hex digits of the organisation id>``: the prefix of every id it imports."""
    return "org/" + organisation_id.replace("-", "").lower()[:12]


# -- (1) + (2) the file ----------------------------------------------------------------------------------------


def _file_problem(rule: str, message: str, fix: str) -> ImportRefused:
    return ImportRefused([RowProblem(0, "file", rule, message, fix)])


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_problem(  # pragma: no cover - gb18030 decodes almost any byte string
        "encoding", "the CSV is neither UTF-8 nor GB18030/GBK", "save the file as CSV UTF-8"
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    except csv.Error as exc:
        raise _file_problem(
            "csv", f"the CSV is malformed: {exc}", "quote cells that contain commas or quotes"
        ) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _file_problem(
            "xlsx", f"not a readable XLSX workbook ({type(exc).__name__})", "save it again as .xlsx"
        ) from None
    try:
        sheet = book["factors"] if "factors" in book.sheetnames else book.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _table(data: bytes, filename: str, fmt: str | None) -> list[list[str]]:
    if len(data) > MAX_IMPORT_BYTES:
        raise _file_problem(
            "too-large", f"{len(data)} bytes, limit {MAX_IMPORT_BYTES}", "split the table into several files"
        )
    kind = fmt or ("xlsx" if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04" else "csv")
    if kind not in ("csv", "xlsx"):
        raise _file_problem("format", f"format {kind!r} is not a factor table", "give csv or xlsx")
    rows = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise _file_problem(
            "empty", "the file holds no header", f"start with the header {','.join(REQUIRED)},…"
        )
    return rows


def _header(cells: list[str]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    problems = []
    for i, name in enumerate(names):
        if name and name not in COLUMNS:
            problems.append(
                RowProblem(
                    1,
                    name,
                    "unknown-column",
                    f"column {i + 1} {name!r} is not a column of the format",
                    f"rename it to one of {', '.join(COLUMNS)} or remove it",
                )
            )
    seen = [n for n in names if n]
    for name in sorted({n for n in seen if seen.count(n) > 1}):
        problems.append(RowProblem(1, name, "duplicate-column", f"column {name!r} appears twice", "keep one"))
    for name in REQUIRED:
        if name not in names:
            problems.append(
                RowProblem(
                    1, name, "missing-column", f"required column {name!r} is missing", f"add a {name} column"
                )
            )
    if "key" not in names and "id" not in names:
        problems.append(
            RowProblem(1, "key", "missing-column", "neither key nor id is a column", "add a key column")
        )
    if "name_zh" not in names and "name_en" not in names:
        problems.append(
            RowProblem(
                1,
                "name_zh",
                "missing-column",
                "neither name_zh nor name_en is a column",
                "add name_zh (排放因子名称) or name_en",
            )
        )
    if problems:
        raise ImportRefused(problems)
    return names


# -- (3) + (4) the rows ----------------------------------------------------------------------------------------


class _Row:
    """One row's cells and the problems found in them."""

    def __init__(self, number: int, cells: dict[str, str], problems: list[RowProblem]) -> None:
        self.number = number
        self.cells = cells
        self.problems = problems

    def text(self, column: str, *, required: bool = False, rule: str = "required", fix: str = "") -> str:
        value = self.cells.get(column, "").strip()
        if len(value) > MAX_CELL:
            self.fail(column, "length", f"{len(value)} characters, limit {MAX_CELL}", "shorten the cell")
            return ""
        if required and not value:
            self.fail(column, rule, f"{column} is empty", fix or f"fill in {column}")
        return value

    def fail(self, column: str, rule: str, message: str, fix: str) -> None:
        self.problems.append(RowProblem(self.number, column, rule, message, fix))

    def one_of(self, column: str, value: str, allowed: Sequence[str], fix: str, *, shown: int = 20) -> bool:
        """Whether ``value`` is one of ``allowed``; if not, the problem (rule: the column's name) is recorded."""
        if value in allowed:
            return True
        self.fail(column, column, f"{column} {value[:shown]!r} is not one of {', '.join(allowed)}", fix)
        return False


def _number(row: _Row, column: str, *, required: bool) -> float | None:
    raw = row.text(column, required=required, fix="give a number such as 20300 or 1.82")
    if not raw:
        return None
    if _THOUSANDS.fullmatch(raw):
        raw = raw.replace(",", "")  # 20,300 as a spreadsheet may print it
    try:
        value = float(raw)
    except ValueError:
        row.fail(column, "number", f"{raw[:40]!r} is not a number", "give a number such as 20300 or 1.82")
        return None
    if not math.isfinite(value) or value < 0:
        row.fail(column, "non-negative", f"{raw[:40]} is not a finite number >= 0", "give a number >= 0")
        return None
    return value


def _flow(row: _Row) -> tuple[str, float, str] | None:
    """(flow key, kg per activity unit factor, activity unit) from unit, gas and origin."""
    raw = row.text("unit", required=True, fix="give e.g. kgCO2e/t, tCO2/MWh or kgCO2e/kWh").replace(" ", "")
    if not raw:
        return None
    m = _UNIT.fullmatch(raw)
    fix = "write <kg|t|g><gas>/<activity unit>, e.g. kgCO2e/t"
    if m is None:
        row.fail("unit", "unit", f"{raw[:40]!r} is not <mass><gas>/<activity unit>", fix)
        return None
    mass, gas_in_unit, per = m.groups()
    gas = row.text("gas") or gas_in_unit
    if not row.one_of("gas", gas, FLOW_GASES, "give CO2e, CO2, CH4, N2O …"):
        return None
    if gas != gas_in_unit:
        row.fail(
            "gas",
            "gas",
            f"gas {gas!r} but the unit {raw!r} says {gas_in_unit}",
            "make the gas and the unit agree",
        )
        return None
    origin = row.text("origin") or "fossil"
    if not row.one_of("origin", origin, FLOW_ORIGINS, "leave it empty for fossil"):
        return None
    # the activity unit as written (吨, 千瓦时, 万立方米 …): per 万立方米 means per 10^4 m3, so the factor per m3 is
    # 10^4 times smaller (footprint_engine.units.UNIT_NAMES, the table the portal's uploads use too)
    per, power = canonical_unit(per)
    try:
        check_unit(per, field="unit")
    except FootprintEngineError as exc:
        row.fail(
            "unit",
            "unit",
            f"activity unit {per[:20]!r}: {exc.detail}",
            "give a unit such as t, kg, kWh, MWh, m3, tkm",
        )
        return None
    return flow_key(gas, origin), _MASS[mass] / 10**power, per


def _factor(row: _Row, ns: str) -> Factor | None:
    before = len(row.problems)
    local = row.text("id")
    key = row.text("key", required=not local, fix="give a short ASCII key such as primary-aluminium-own")
    if key and not _KEY.fullmatch(key):
        row.fail(
            "key",
            "key-format",
            f"key {key[:40]!r} is not ASCII letters, digits and . _ : -",
            "use an ASCII key; put the Chinese name in name_zh",
        )
    name_zh, name_en = row.text("name_zh"), row.text("name_en")
    if not name_zh and not name_en:
        row.fail(
            "name_zh",
            "required",
            "the row has neither name_zh nor name_en",
            "give the factor's name (排放因子名称)",
        )
    value = _number(row, "value", required=True)
    flow = _flow(row)
    geography = row.text("geography", required=True, fix="give CN, a province such as CN-YN, or GLO")
    geography = _GEO_ALIASES.get(geography.upper(), geography)
    if geography and (
        len(geography) < 2 or len(geography) > 20 or not re.fullmatch(r"[A-Za-z0-9\-]+", geography)
    ):
        row.fail(
            "geography",
            "geography",
            f"{geography[:30]!r} is not a geography code",
            "give CN, CN-YN, CN-East or GLO",
        )
    year_text = row.text("year")
    year = None
    if year_text:
        if not re.fullmatch(r"(19|20|21)[0-9]{2}", year_text):
            row.fail(
                "year",
                "year",
                f"{year_text[:20]!r} is not a year",
                "give the data year, e.g. 2023, or leave it empty",
            )
        else:
            year = int(year_text)
    valid_text = row.text("valid_from")
    valid_from = None
    if valid_text:
        try:
            valid_from = date.fromisoformat(valid_text)
        except ValueError:
            row.fail(
                "valid_from",
                "date",
                f"{valid_text[:20]!r} is not a date",
                "give YYYY-MM-DD or leave it empty",
            )
    kind = row.text("kind") or "material"
    row.one_of("kind", kind, _KINDS, "leave it empty for material", shown=30)
    title = row.text(
        "source_title",
        required=True,
        rule="provenance-required",
        fix="name the document the figure comes from (来源)",
    )
    publisher = row.text(
        "publisher", required=True, rule="provenance-required", fix="name who published it (发布机构)"
    )
    url = row.text("source_url")
    if url and not re.fullmatch(r"https?://\S+", url):
        row.fail(
            "source_url",
            "url",
            f"{url[:40]!r} is not an http(s) URL",
            "give the source's web address or leave it empty",
        )
    gsd = _number(row, "uncertainty_gsd", required=False)
    if gsd is not None and gsd <= 1:
        row.fail(
            "uncertainty_gsd",
            "gsd",
            f"{gsd} is not > 1",
            "give a geometric standard deviation > 1 or leave it empty",
        )
    if local:
        if local.startswith(ns + "/"):
            local = local[len(ns) + 1 :]
        elif local.startswith("org/"):
            row.fail(
                "id",
                "id-namespace",
                f"id {local[:60]!r} is in another organisation's namespace",
                f"leave id empty or start it with {ns}/",
            )
        if not _ID.fullmatch(local) or ".." in local or "//" in local:
            row.fail(
                "id",
                "id-format",
                f"id {local[:60]!r} is not ASCII letters, digits and . _ : - /",
                "use an ASCII id or leave it empty",
            )
        key = (
            key or local
        )  # a table with ids and no keys (shared/reference/materials_cn.csv): the id is the key
    else:
        local = "/".join(p for p in (key, geography, str(year) if year else "") if p)
    if len(row.problems) > before or value is None or flow is None:
        return None
    flow_name, to_kg, per = flow
    source = "; ".join(p for p in (title, publisher, url) if p)
    try:
        return Factor(
            id=f"{ns}/{local}",
            kind=kind,  # type: ignore[arg-type]
            key=f"{ns}/{key}",
            geography=geography,
            year=year,
            unit=per,
            emissions={flow_name: value * to_kg},
            source=source,
            note=row.text("notes") or None,
            uncertainty_gsd=gsd,
            name_zh=name_zh or None,
            name_en=name_en or None,
            category=row.text("category") or None,
            scope=row.text("scope") or None,
            valid_from=valid_from,
            source_id="private",
            publisher=publisher,
            source_url=url or None,
            verified_in=row.text("verified_in") or None,
            cpcd_code=row.text("cpcd_code") or None,
            redistributable=False,
        )
    except ValidationError as exc:  # pragma: no cover - every field was checked above
        error = exc.errors(include_url=False)[0]
        row.fail(str(error["loc"][0]), "factor", str(error["msg"]), "fix the cell")
        return None


def read_factor_table(
    data: bytes, filename: str, organisation_id: str, fmt: str | None = None
) -> list[Factor]:
    """The factors of a table, each in ``organisation_id``'s namespace; :class:`ImportRefused` listing every
    problem otherwise (steps in the module docstring)."""
    # (1) + (2)
    table = _table(data, filename, fmt)
    names = _header(table[0])
    body = [(i + 2, cells) for i, cells in enumerate(table[1:]) if any(c.strip() for c in cells)]
    if len(body) > MAX_ROWS:
        raise _file_problem(
            "too-many-rows", f"{len(body)} rows, limit {MAX_ROWS}", "split the table into several files"
        )
    if not body:
        raise _file_problem("empty", "the table has a header but no rows", "add one row per factor")
    # (3)
    ns = namespace(organisation_id)
    problems: list[RowProblem] = []
    factors: list[tuple[int, Factor]] = []
    for number, cells in body:
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            problems.append(
                RowProblem(
                    number,
                    "file",
                    "extra-cells",
                    f"{len(cells)} cells, the header has {len(names)}",
                    "quote cells that contain commas",
                )
            )
            continue
        row = _Row(number, {n: c for n, c in zip(names, cells, strict=False) if n}, problems)
        factor = _factor(row, ns)
        if factor is not None:
            factors.append((number, factor))
    # (4)
    first: dict[str, int] = {}
    for number, factor in factors:
        if factor.id in first:
            problems.append(
                RowProblem(
                    number,
                    "id",
                    "id-unique",
                    f"id {factor.id} is also the id of row {first[factor.id]}",
                    "give the rows different ids, keys, geographies or years",
                )
            )
        first.setdefault(factor.id, number)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.row, p.column)))
    return [f for _, f in factors]
