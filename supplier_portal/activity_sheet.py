"""Activity data as a table: the downloadable template, CSV/XLSX upload, and the activity-data document.

One row per input; the ``section`` column says which kind. GEC claims are rows of section ``gec`` whose
``reference`` is the id of the electricity row they cover (1 GEC = 1 MWh, ``amount`` in MWh).

The table's vocabulary and limits are in :mod:`supplier_portal.sheet.columns`, the template in
:mod:`supplier_portal.sheet.template`, reading uploads (encodings, headers in either language, limits) in
:mod:`supplier_portal.sheet.upload`; this module turns rows into the document and back. Units as people write
them (吨, 千瓦时, 万立方米 …) become the engine's (footprint_engine.units.UNIT_NAMES), amounts scaled where the
name carries a power of ten. Every problem is reported against its row (as numbered in the file, header = row 1)
and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from footprint_engine.activity import ActivityData
from footprint_engine.errors import ActivityDataError
from footprint_engine.units import canonical_unit
from supplier_portal.sheet.columns import (
    COLUMN_LABELS,
    COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    N_,
    SECTIONS,
    CellError,
    SheetInvalid,
    data_source_key,
    generation_type_key,
    section_key,
)
from supplier_portal.sheet.template import template_csv, template_xlsx
from supplier_portal.sheet.upload import read_upload

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
    "field_locator",
    "locate_field",
    "read_upload",
    "rows_from_activity",
    "split_cids",
    "template_csv",
    "template_xlsx",
]

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
    "evidence": "evidence",
}
_HEADER_FIELDS = {
    "productIdentifier": "product",
    "productName": "product",
    "reportingPeriod": "period_start",
    "site": "site_name",
    "declaredUnit": "product",
    "producedQuantity": "produced_quantity",
    "organisation": "product",
    "evidence": "evidence",
}


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
    evidence: str = ""  # CIDs of the files supporting the whole document (佐证材料（整份活动数据）)


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
            row["evidence"] = " ".join(str(c) for c in item.get("evidence") or ())
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
                    evidence=" ".join(str(c) for c in claim.get("evidence") or ()),
                )
                rows.append(gec)
    return rows


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_NUMBER = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _number(text: str, row: int, column: str, errors: list[CellError], power: int = 0) -> float | int | None:
    """The number in a cell (thousands separators allowed), times 10^power (万 units); None after an error."""
    cleaned = text.replace(",", "").replace("，", "").replace("\u00a0", "").strip()
    if not _NUMBER.fullmatch(cleaned):
        errors.append(CellError(row, column, N_("Enter a number that is zero or more (got “{value}”)."),
                                {"value": text[:40]}))  # fmt: skip
        return None
    if power:
        try:
            scaled = Decimal(cleaned).scaleb(power)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
            scaled = Decimal(0)
        value = float(scaled)
    else:
        value = float(cleaned)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


_CID_SEPARATORS = re.compile(r"[\s,;，；、]+")
_CID = re.compile(r"^(b[a-z2-7]{20,}|Qm[1-9A-HJ-NP-Za-km-z]{44}|z[1-9A-HJ-NP-Za-km-z]{20,})$")


def split_cids(text: str) -> list[str]:
    """The CIDs in an evidence cell: separated by spaces, commas, semicolons or 、 (duplicates dropped)."""
    return list(dict.fromkeys(c for c in _CID_SEPARATORS.split(text.strip()) if c))


def _evidence(text: str, row: int, errors: list[CellError]) -> list[str]:
    """The evidence cell's CIDs; a word that is no CID is an error at the cell (the fix: upload the file)."""
    cids = split_cids(text)
    for cid in cids:
        if not _CID.match(cid):
            errors.append(CellError(row, "evidence", N_(
                "“{value}” is not the CID of an uploaded file; attach the file with the Upload evidence button."
            ), {"value": cid[:64]}))  # fmt: skip
    return cids


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
        if not any(row.values()):
            continue  # a blank line of the file keeps its number but is not an input
        section = section_key(row.get("section", ""))
        if section not in SECTIONS:
            errors.append(CellError(n, "section", N_("Unknown section “{value}”; choose one from the list."),
                                    {"value": section[:40]}))  # fmt: skip
            continue
        if not row.get("id"):
            errors.append(CellError(n, "id", N_("Every row needs an id.")))
        unit, power = canonical_unit(row.get("unit", ""))
        if section == "gec":
            if unit not in ("", "MWh"):
                errors.append(CellError(n, "unit", N_("A GEC row's amount is in MWh (1 GEC = 1 MWh).")))
            gec_rows.append((n, row))
            continue
        amount = _number(row.get("amount", ""), n, "amount", errors, power)
        list_name, reference = SECTIONS[section]
        item: dict[str, Any] = {"id": row["id"]}
        if section == "transport":
            distance = _number(row.get("distance_km", ""), n, "distance_km", errors)
            item.update(mode=row.get("reference", ""), distance={"amount": distance, "unit": "km"},
                        mass={"amount": amount, "unit": unit or "t"})  # fmt: skip
            if row.get("name"):
                item["material"] = row["name"]
        else:
            item.update(amount=amount, unit=unit)
            if row.get("name"):
                item["name"] = row["name"]
            if reference and row.get("reference"):
                item[reference] = row["reference"]
        if row.get("data_source"):
            item["dataSource"] = data_source_key(row["data_source"])
        if row.get("factor_id"):
            item["factorId"] = row["factor_id"]
        if cids := _evidence(row.get("evidence", ""), n, errors):
            item["evidence"] = cids
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
            "quantityMWh": _number(row.get("amount", ""), n, "amount", errors),
            "generationType": generation_type_key(row.get("generation_type", "")),
            "productionDate": row.get("production_date", ""),
        }
        if row.get("cancellation_date"):
            claim["cancellation"] = {
                "claimant": row.get("claimant") or organisation_id,
                "date": row["cancellation_date"],
            }
        if cids := _evidence(row.get("evidence", ""), n, errors):
            claim["evidence"] = cids
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
    if cids := _evidence(header.evidence, 0, errors):
        document["evidence"] = cids
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
    return field_locator(rows)(path)


def field_locator(rows: list[dict[str, str]]) -> Callable[[str], tuple[int, str]]:
    """:func:`locate_field` for many paths of the same ``rows``: the rows are read once (a 20,000-row grid with
    500 problems is placed in milliseconds, not minutes)."""
    _, where, claims_at, _ = _inputs(rows, "")
    return lambda path: _locate(path.removeprefix("credentialSubject."), where, claims_at)


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
