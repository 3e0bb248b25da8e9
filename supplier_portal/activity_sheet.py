"""Activity data as a table: the downloadable template, CSV/XLSX upload, and the activity-data document.

One row per input; the ``section`` column says which kind. GEC claims are rows of section ``gec`` whose
``reference`` is the id of the electricity row they cover (1 GEC = 1 MWh, ``amount`` in MWh).

Limits: uploads of at most ``MAX_UPLOAD_BYTES`` and ``MAX_ROWS`` data rows; CSV must be UTF-8 (a BOM is
accepted, as Excel writes one); XLSX is read from its first sheet, values only (no formulas evaluated).
Every problem is reported against its row (as numbered in the file, header = row 1) and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from footprint_engine.activity import ActivityData
from footprint_engine.errors import ActivityDataError

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "SECTIONS",
    "CellError",
    "Header",
    "SheetInvalid",
    "build_activity",
    "check_rows",
    "locate_field",
    "read_upload",
    "rows_from_activity",
    "template_csv",
    "template_xlsx",
]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


def N_(message: str) -> str:
    return message


COLUMNS = (
    "section",
    "id",
    "name",
    "reference",
    "amount",
    "unit",
    "distance_km",
    "data_source",
    "factor_id",
    "serial",
    "generation_type",
    "production_date",
    "cancellation_date",
    "claimant",
)
# what a person reads for each column and header field (msgids of the portal catalogs)
COLUMN_LABELS = {
    "section": N_("Section"),
    "id": N_("Id"),
    "name": N_("Name"),
    "reference": N_("Reference"),
    "amount": N_("Amount"),
    "unit": N_("Unit"),
    "distance_km": N_("Distance (km)"),
    "data_source": N_("Data source"),
    "factor_id": N_("Emission factor"),
    "serial": N_("GEC serial"),
    "generation_type": N_("Generation type"),
    "production_date": N_("Production date"),
    "cancellation_date": N_("Cancellation date"),
    "claimant": N_("Claimant"),
    "product": N_("Product"),
    "period_start": N_("Reporting period start"),
    "period_end": N_("Reporting period end"),
    "site_name": N_("Site"),
    "grid_region": N_("Grid region"),
    "produced_quantity": N_("Quantity produced"),
}
# section -> (document list, name of the field the "reference" column fills)
SECTIONS: dict[str, tuple[str, str | None]] = {
    "material": ("materials", "identifier"),
    "packaging": ("packaging", "material"),
    "fuel": ("fuels", "fuel"),
    "electricity": ("electricity", "gridRegion"),
    "heat": ("heat", "carrier"),
    "transport": ("transport", "mode"),
    "process_emission": ("processEmissions", "gas"),
    "waste": ("waste", "treatment"),
    "gec": ("", None),
}
_LIST_TO_SECTION = {v[0]: k for k, v in SECTIONS.items() if v[0]}
_FIELD_TO_COLUMN = {
    "id": "id",
    "name": "name",
    "amount": "amount",
    "unit": "unit",
    "dataSource": "data_source",
    "factorId": "factor_id",
    "distance": "distance_km",
    "mass": "amount",
    "material": "name",
    "serial": "serial",
    "quantityMWh": "amount",
    "generationType": "generation_type",
    "productionDate": "production_date",
    "cancellation": "cancellation_date",
}
_HEADER_FIELDS = {
    "productIdentifier": "product",
    "productName": "product",
    "reportingPeriod": "period_start",
    "site": "site_name",
    "declaredUnit": "product",
    "producedQuantity": "produced_quantity",
    "organisation": "product",
}


@dataclass(frozen=True)
class CellError:
    """A problem in one cell (row 0 = the form's header fields; column = a COLUMNS name or form field)."""

    row: int
    column: str
    message: str  # a msgid of the portal catalogs, {placeholders} filled from params
    params: dict[str, Any] = field(default_factory=dict)


class SheetInvalid(ValueError):
    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the activity data")


@dataclass
class Header:
    """The form fields around the table."""

    product_identifier: str
    product_name: str | None
    organisation_id: str
    period_start: str
    period_end: str
    site_name: str
    grid_region: str
    declared_unit: str
    produced_quantity: str
    comment: str | None = None


# --- template -----------------------------------------------------------------------------------------

_EXAMPLE_ROWS: list[dict[str, str]] = [
    {"section": "material", "id": "alumina", "name": "smelter-grade alumina", "reference": "88.118.5/ALUMINA-SGA",
     "amount": "192000", "unit": "t", "data_source": "secondary", "factor_id": "material/alumina/CN/2021"},
    {"section": "fuel", "id": "natural-gas", "name": "natural gas", "reference": "natural_gas",
     "amount": "3000000", "unit": "m3", "data_source": "primary"},
    {"section": "electricity", "id": "electricity", "name": "potline electricity", "reference": "CN-YN",
     "amount": "1350000", "unit": "MWh", "data_source": "primary"},
    {"section": "gec", "id": "gec-1", "reference": "electricity", "amount": "300000", "serial": "GEC-2024-YN-HYD-000123",
     "generation_type": "hydro", "production_date": "2024-04-15", "cancellation_date": "2025-01-20"},
    {"section": "transport", "id": "alumina-rail", "name": "alumina", "reference": "rail", "amount": "192000",
     "unit": "t", "distance_km": "1200"},
    {"section": "process_emission", "id": "anode-co2", "name": "CO2 from anode oxidation", "reference": "CO2",
     "amount": "150000", "unit": "t", "data_source": "primary"},
    {"section": "waste", "id": "spl", "name": "spent pot lining", "reference": "landfill", "amount": "2500", "unit": "t"},
]  # fmt: skip


def template_csv(rows: list[dict[str, str]] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in _EXAMPLE_ROWS if rows is None else rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(rows: list[dict[str, str]] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "activity"
    sheet.append(list(COLUMNS))
    for row in _EXAMPLE_ROWS if rows is None else rows:
        sheet.append([row.get(c, "") for c in COLUMNS])
    sections = DataValidation(type="list", formula1='"' + ",".join(SECTIONS) + '"', allow_blank=False)
    sheet.add_data_validation(sections)
    sections.add(f"A2:A{MAX_ROWS + 1}")
    for letter in "ABCDEFGHIJKLMN":
        sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading uploads ------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(header: list[str], body: list[list[Any]]) -> list[dict[str, str]]:
    names = [h.strip().lower() for h in header]
    errors = []
    unknown = [h for h in names if h and h not in COLUMNS]
    for h in unknown:
        errors.append(
            CellError(1, h, N_("Unknown column {column}; use the template's columns."), {"column": h})
        )
    for required in ("section", "id", "amount"):
        if required not in names:
            errors.append(CellError(1, required, N_("The column {column} is missing."), {"column": required}))
    if errors:
        raise SheetInvalid(errors)
    rows = []
    for values in body:
        cells = {names[i]: _cell_text(v) for i, v in enumerate(values) if i < len(names) and names[i]}
        rows.append({c: cells.get(c, "") for c in COLUMNS})
    while rows and not any(rows[-1].values()):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise SheetInvalid([CellError(MAX_ROWS + 2, "section", N_("At most {n} rows."), {"n": MAX_ROWS})])
    return rows


def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or XLSX file (raises :class:`SheetInvalid`)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetInvalid(
            [CellError(0, "file", N_("The file is larger than {n} MiB."), {"n": MAX_UPLOAD_BYTES >> 20})]
        )
    lower = filename.lower()
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise SheetInvalid(
                [
                    CellError(
                        0,
                        "file",
                        N_("The XLSX file cannot be read: {detail}"),
                        {"detail": type(exc).__name__},
                    )
                ]
            ) from exc
        sheet = book.worksheets[0]
        values = [list(r) for r in sheet.iter_rows(max_row=MAX_ROWS + 2, values_only=True)]
        book.close()
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetInvalid(
                [CellError(0, "file", N_("The CSV file is not UTF-8; save it as CSV UTF-8."))]
            ) from exc
        values = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise SheetInvalid([CellError(0, "file", N_("Upload a .csv or .xlsx file made from the template."))])
    if not values:
        raise SheetInvalid([CellError(1, "section", N_("The file is empty."))])
    return _table([_cell_text(h) for h in values[0]], values[1:])


# --- rows <-> document ------------------------------------------------------------------------------------


def rows_from_activity(document: dict[str, Any]) -> list[dict[str, str]]:
    """Table rows for an activity-data document (its inputs and GEC claims; other details are dropped)."""
    rows: list[dict[str, str]] = []
    inputs = document.get("inputs", {})
    for section, (list_name, reference) in SECTIONS.items():
        for item in inputs.get(list_name, []) if list_name else []:
            row = dict.fromkeys(COLUMNS, "")
            row.update(section=section, id=item["id"], name=str(item.get("name") or ""))
            row["data_source"] = str(item.get("dataSource") or "")
            row["factor_id"] = str(item.get("factorId") or "")
            if section == "transport":
                row.update(
                    reference=item["mode"],
                    name=str(item.get("material") or ""),
                    amount=_num(item["mass"]["amount"]),
                    unit=item["mass"]["unit"],
                    distance_km=_num(item["distance"]["amount"]),
                )
            else:
                row.update(reference=str(item.get(reference or "") or ""), amount=_num(item["amount"]))
                row["unit"] = item["unit"]
            rows.append(row)
            for n, claim in enumerate(item.get("greenPowerClaims", [])):
                if claim.get("type", "gec") != "gec":
                    continue
                gec = dict.fromkeys(COLUMNS, "")
                cancellation = claim.get("cancellation") or {}
                gec.update(
                    section="gec",
                    id=f"{item['id']}-gec-{n + 1}",
                    reference=item["id"],
                    amount=_num(claim["quantityMWh"]),
                    unit="MWh",
                    serial=claim["serial"],
                    generation_type=claim["generationType"],
                    production_date=claim["productionDate"],
                    cancellation_date=str(cancellation.get("date") or ""),
                    claimant=str(cancellation.get("claimant") or ""),
                )
                rows.append(gec)
    return rows


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_NUMBER = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _number(text: str, row: int, column: str, errors: list[CellError]) -> float | int | None:
    cleaned = text.replace(",", "").replace("\u00a0", "").strip()
    if not _NUMBER.fullmatch(cleaned):
        errors.append(CellError(row, column, N_("Enter a number that is zero or more (got “{value}”)."),
                                {"value": text[:40]}))  # fmt: skip
        return None
    value = float(cleaned)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _inputs(
    rows: list[dict[str, str]], organisation_id: str
) -> tuple[
    dict[str, list[dict[str, Any]]], dict[tuple[str, int], int], dict[tuple[int, int], int], list[CellError]
]:
    """Steps (1) and (2) of :func:`build_activity`: the inputs, where each came from, and row errors."""
    errors: list[CellError] = []
    inputs: dict[str, list[dict[str, Any]]] = {}
    where: dict[tuple[str, int], int] = {}  # (list name, index) -> row number
    claims_at: dict[tuple[int, int], int] = {}  # (electricity index, claim index) -> row number
    gec_rows: list[tuple[int, dict[str, str]]] = []
    # (1)
    for n, row in enumerate(rows, start=2):
        section = row.get("section", "").strip().lower()
        if section not in SECTIONS:
            errors.append(CellError(n, "section", N_("Unknown section “{value}”; use one of {allowed}."),
                                    {"value": section[:40], "allowed": ", ".join(SECTIONS)}))  # fmt: skip
            continue
        if not row.get("id"):
            errors.append(CellError(n, "id", N_("Every row needs an id.")))
        amount = _number(row.get("amount", ""), n, "amount", errors)
        if section == "gec":
            gec_rows.append((n, row))
            continue
        list_name, reference = SECTIONS[section]
        item: dict[str, Any] = {"id": row["id"]}
        if section == "transport":
            distance = _number(row.get("distance_km", ""), n, "distance_km", errors)
            item.update(mode=row.get("reference", ""), distance={"amount": distance, "unit": "km"},
                        mass={"amount": amount, "unit": row.get("unit") or "t"})  # fmt: skip
            if row.get("name"):
                item["material"] = row["name"]
        else:
            item.update(amount=amount, unit=row.get("unit", ""))
            if row.get("name"):
                item["name"] = row["name"]
            if reference and row.get("reference"):
                item[reference] = row["reference"]
        if row.get("data_source"):
            item["dataSource"] = row["data_source"].strip().lower()
        if row.get("factor_id"):
            item["factorId"] = row["factor_id"]
        where[(list_name, len(inputs.setdefault(list_name, [])))] = n
        inputs[list_name].append(item)
    # (2)
    electricity_index = {item["id"]: i for i, item in enumerate(inputs.get("electricity", []))}
    for n, row in gec_rows:
        target = electricity_index.get(row.get("reference", ""))
        if target is None:
            errors.append(
                CellError(n, "reference", N_("Give the id of an electricity row for this GEC claim."))
            )
            continue
        claim: dict[str, Any] = {
            "type": "gec",
            "serial": row.get("serial", ""),
            "quantityMWh": _number(row.get("amount", ""), n, "amount", []),
            "generationType": row.get("generation_type", ""),
            "productionDate": row.get("production_date", ""),
        }
        if row.get("cancellation_date"):
            claim["cancellation"] = {
                "claimant": row.get("claimant") or organisation_id,
                "date": row["cancellation_date"],
            }
        claims = inputs["electricity"][target].setdefault("greenPowerClaims", [])
        claims_at[(target, len(claims))] = n
        claims.append(claim)
    return inputs, where, claims_at, errors


def check_rows(rows: list[dict[str, str]]) -> list[CellError]:
    """The row-by-row problems (section, id, numbers, GEC targets) of uploaded rows."""
    return _inputs(rows, "")[3]


def build_activity(header: Header, rows: list[dict[str, str]]) -> dict[str, Any]:
    """The activity-data document (camelCase JSON) for the form header and table rows.

    (1) each row's section, id and numbers are checked, (2) GEC rows are attached to their electricity
    row, (3) the whole document is validated by the footprint engine's ActivityData model, and every
    error it reports is mapped back to its row and column. Raises :class:`SheetInvalid`.
    """
    inputs, where, claims_at, errors = _inputs(rows, header.organisation_id)
    document: dict[str, Any] = {
        "schemaVersion": "1.0",
        "type": "ActivityData",
        "productIdentifier": header.product_identifier,
        "organisation": {"id": header.organisation_id},
        "reportingPeriod": {"start": header.period_start, "end": header.period_end},
        "site": {"name": header.site_name, "gridRegion": header.grid_region},
        "declaredUnit": header.declared_unit,
        "producedQuantity": {
            "amount": _number(header.produced_quantity, 0, "produced_quantity", errors),
            "unit": header.declared_unit,
        },
        "inputs": inputs,
    }
    if header.product_name:
        document["productName"] = header.product_name
    if header.comment:
        document["comment"] = header.comment
    if errors:
        raise SheetInvalid(errors)
    # (3)
    try:
        ActivityData.model_validate(document)
    except ValidationError as exc:
        for problem in exc.errors(include_url=False):
            ctx = (problem.get("ctx") or {}).get("error")
            path = _loc_path(problem.get("loc", ()))
            message = str(problem.get("msg", "")).removeprefix("Value error, ")
            if isinstance(ctx, ActivityDataError):
                path = (
                    ctx.field if ctx.field and ctx.field.startswith("inputs") else path or (ctx.field or "")
                )
                message = f"{ctx.what}: {ctx.detail}"
            row, column = _locate(path, where, claims_at)
            errors.append(
                CellError(row, column, N_("{detail} (field {path})"), {"detail": message, "path": path})
            )
        raise SheetInvalid(errors) from exc
    return document


def _loc_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts[-1] = f"{parts[-1]}[{p}]" if parts else f"[{p}]"
        elif p not in ("gec", "green-power-contract"):
            parts.append(str(p))
    return ".".join(parts)


_INPUT_PATH = re.compile(
    r"inputs\.(?P<list>\w+)\[(?P<i>\d+)\](?:\.greenPowerClaims\[(?P<c>\d+)\])?(?:\.(?P<field>\w+))?"
)


def locate_field(path: str, rows: list[dict[str, str]]) -> tuple[int, str]:
    """The row (as numbered in the file, header = 1; 0 = the form's header fields) and column of the document
    built from ``rows`` (:func:`build_activity`) that a JSON path names, e.g. ``credentialSubject.inputs.
    materials[2].factorId`` → the third material row's ``factor_id``."""
    _, where, claims_at, _ = _inputs(rows, "")
    return _locate(path.removeprefix("credentialSubject."), where, claims_at)


def _locate(
    path: str, where: dict[tuple[str, int], int], claims_at: dict[tuple[int, int], int]
) -> tuple[int, str]:
    match = _INPUT_PATH.match(path)
    if match is None:
        top = path.split(".")[0].split("[")[0]
        if path.startswith("reportingPeriod.end"):
            return 0, "period_end"
        if path.startswith("site.gridRegion"):
            return 0, "grid_region"
        return 0, _HEADER_FIELDS.get(top, "product")
    index = int(match["i"])
    field_name = match["field"] or "id"
    if match["c"] is not None:
        row = claims_at.get((index, int(match["c"])), 0)
    else:
        row = where.get((match["list"], index), 0)
    section = _LIST_TO_SECTION.get(match["list"], "")
    if section and field_name == SECTIONS[section][1]:
        return row, "reference"
    return row, _FIELD_TO_COLUMN.get(field_name, "id")
