"""XLSX rendering laid out like the `Summary_Communication` sheet of the Commission's communication
template for installations (version 2024-12-13): section 1 "Summary of the installation and production
processes" (installation details D12:G21, production routes I12:O21, processes R12:T21, emissions by
monitoring methodology AA10:AH21, further information AL10:AM13) and section 2 "Summary of products"
(header row 25, one row per good from row 26, columns D "Production process" … AZ "Result: Effective
CP due"). Extra sheets: `Default_Comparison` and `Receipts` (not in the template).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font

from footprint_engine.cbam.results import Communication

__all__ = [
    "PRODUCTS_FIRST_ROW",
    "PRODUCT_COLUMNS",
    "SHEET_NAME",
    "communication_to_xlsx",
    "write_communication_xlsx",
]

SHEET_NAME = "Summary_Communication"
PRODUCTS_HEADER_ROW = 25
PRODUCTS_FIRST_ROW = 26

#: Column letter → header of the "Summary of products" table (row 25 of the template).
PRODUCT_COLUMNS: dict[str, str] = {
    "D": "Production process from which the products arise",
    "E": "Type of aggregated good or precursor",
    "F": "CN Codes",
    "G": "CN Name",
    "H": "Product name \n(used for communication with reporting declarant, e.g. on invoices)",
    "I": "SEE (direct)",
    "J": "SEE (indirect)",
    "K": "SEE (total)",
    "L": "Unit",
    "M": "Share of emissions by default value",
    "N": "Source for electricity EF",
    "O": "Embedded electricity (MWh/t)",
    "P": "Electricity EF (tCO2/MWh)",
    "Q": "The main reducing agent of the precursor, if known",
    "R": "Steel mill identification number",
    "S": "% Mn",
    "T": "% Cr",
    "U": "% Ni",
    "V": "% other alloys",
    "W": "% carbon",
    "X": "t scrap per t steel",
    "Y": "% other materials",
    "Z": "% pre-consumer scrap",
    "AA": "t scrap per t aluminium",
    "AB": "% non-aluminium elements",
    "AC": "Clinker factor",
    "AD": "Calcined or not",
    "AE": "Concentration, if hydrous solution",
    "AF": "% nitric acid",
    "AG": "% urea",
    "AH": "% N contained",
    "AI": "% N as ammonium (NH4+)",
    "AJ": "% N as nitrate (NO3–)",
    "AK": "% N as Urea",
    "AL": "% N in other (organic) forms",
    "AM": "Type of instrument (carbon pricing)",
    "AN": "Share of total embedded emissions covered by the carbon price",
    "AO": "Embedded emissions covered by the carbon price",
    "AQ": "Currency",
    "AR": "Carbon price (CP) due (per produced t or MWh)",
    "AT": "Type of rebate",
    "AU": "Share of embedded emissions covered by the rebate",
    "AV": "Embedded emissions covered by rebate",
    "AX": "Amount of rebate (per produced t or MWh)",
    "AZ": "Result: Effective CP due (per produced t or MWh)",
}

_COUNTRY_NAMES = {"CN": "China"}
_BOLD = Font(bold=True)


def _installation_section(ws, c: Communication) -> None:  # type: ignore[no-untyped-def]
    inst = c.installation
    ws["C10"], ws["D10"] = 1, "Installation details"
    ws["D11"], ws["G11"] = "Parameter", "Value"
    rows = [
        ("Name of the installation (English name):", inst.name),
        ("Street, Number:", inst.street),
        ("Economic activity:", inst.economic_activity),
        ("Country:", _COUNTRY_NAMES.get(inst.country, inst.country)),
        ("Country code:", inst.country),
        ("UNLOCODE:", inst.unlocode),
        ("Coordinates of the main emission source (latitude):", inst.latitude),
        ("Coordinates of the main emission source (longitude):", inst.longitude),
        ("Reporting period start:", inst.reporting_period_start),
        ("Reporting period end:", inst.reporting_period_end),
    ]
    for offset, (label, value) in enumerate(rows):
        ws[f"D{12 + offset}"] = label
        ws[f"G{12 + offset}"] = value
    for cell in ("G20", "G21"):
        ws[cell].number_format = "yyyy-mm-dd"


def _routes_section(ws, c: Communication) -> None:  # type: ignore[no-untyped-def]
    ws["H10"], ws["I10"] = 2, "Summary of the production processes and production routes, where relevant"
    ws["H11"], ws["I11"] = "(a) ", "Aggregated good produced"
    for i, letter in enumerate("JKLMNO", start=1):
        ws[f"{letter}11"] = f"Route {i}"
    ws["Q11"], ws["R11"], ws["S11"] = "(b) ", "Production process", "Aggregated goods category"
    for i, letter in enumerate("TUVWXY", start=1):
        ws[f"{letter}11"] = str(i)
    categories: dict[str, list[str]] = {}
    for p in c.processes:
        routes = categories.setdefault(p.aggregated_goods_category, [])
        if p.production_route and p.production_route not in routes:
            routes.append(p.production_route)
    for row, (category, routes) in enumerate(list(categories.items())[:10], start=12):
        ws[f"H{row}"], ws[f"I{row}"] = f"G{row - 11}", category
        for letter, route in zip("JKLMNO", routes, strict=False):
            ws[f"{letter}{row}"] = route
    for row, p in enumerate(c.processes[:10], start=12):
        ws[f"Q{row}"], ws[f"R{row}"], ws[f"S{row}"] = (
            f"P{row - 11}",
            p.name or p.process_id,
            p.aggregated_goods_category,
        )
        if p.production_route:
            ws[f"T{row}"] = p.production_route


def _emissions_section(ws, c: Communication) -> None:  # type: ignore[no-untyped-def]
    inst = c.installation
    ws["AA10"], ws["AB10"] = 3, "Summary of emissions by monitoring methodology and data quality"
    ws["AA11"], ws["AC11"] = "Calculation - based (excl. PFC emissions)", "Total PFC emissions"
    ws["AE11"], ws["AG11"] = "Measurement - based", "Other"
    for letter in ("AA", "AC", "AE", "AG"):
        ws[f"{letter}12"] = "tCO2e"
    ws["AA13"], ws["AC13"], ws["AE13"], ws["AG13"] = inst.total_direct_tco2e, 0, 0, 0
    for row, label, value in (
        (15, "Total direct emissions during reporting period:", inst.total_direct_tco2e),
        (16, "Total indirect emissions during reporting period:", inst.total_indirect_tco2e),
        (17, "Total emissions during reporting period:", inst.total_direct_tco2e + inst.total_indirect_tco2e),
    ):
        ws[f"AA{row}"], ws[f"AG{row}"], ws[f"AH{row}"] = label, round(value, 5), "tCO2e"
    ws["AA19"], ws["AD19"] = "General information on data quality:", inst.data_quality
    ws["AA20"], ws["AD20"] = (
        "Justification for use of default values (if relevant):",
        inst.default_value_justification,
    )
    ws["AA21"], ws["AD21"] = "Information on quality assurance:", inst.quality_assurance
    ws["AL10"], ws["AM10"] = 4, "Further information"
    instruments = sorted({g.carbon_price.instrument_type for g in c.goods if g.carbon_price})
    ws["AL12"], ws["AM12"] = "Carbon price instrument:", "; ".join(instruments)
    ws["AL13"] = "Any additional information:"
    ws["AM13"] = (
        f"Electricity factor rule: {c.electricity_rule} Source: {c.electricity_rule_source}. "
        f"Indirect emissions: {c.indirect_rule_source}. Receipts of the data behind this file: sheet Receipts."
    )


def _products_section(ws, c: Communication) -> None:  # type: ignore[no-untyped-def]
    ws["C23"], ws["D23"] = 2, "Summary of products"
    for letter, header in PRODUCT_COLUMNS.items():
        ws[f"{letter}{PRODUCTS_HEADER_ROW}"] = header
        ws[f"{letter}{PRODUCTS_HEADER_ROW}"].font = _BOLD
    names = {p.process_id: p.name or p.process_id for p in c.processes}
    for index, g in enumerate(c.goods, start=1):
        r = PRODUCTS_FIRST_ROW + index - 1
        values: dict[str, object] = {
            "C": index,
            "D": names[g.process_id],
            "E": g.aggregated_goods_category,
            "F": g.cn_code,
            "G": g.cn_name,
            "H": g.product_name,
            "I": g.see_direct,
            "J": g.see_indirect,
            "K": g.see_total,
            "L": "tCO2e/t",
            "M": g.default_share,
            "N": g.electricity_factor_source,
            "O": g.embedded_electricity_mwh_per_t,
            "P": g.electricity_factor_tco2_per_mwh,
        }
        cp = g.carbon_price
        if cp is not None:
            values.update(
                {
                    "AM": cp.instrument_type,
                    "AN": cp.share_covered,
                    "AO": cp.covered_per_t,
                    "AQ": cp.currency,
                    "AR": cp.price_due_per_t,
                    "AT": cp.rebate_type,
                    "AU": cp.rebate_share,
                    "AV": cp.rebate_covered_per_t,
                    "AX": cp.rebate_amount_per_t,
                    "AZ": cp.effective_price_per_t,
                }
            )
        for letter, value in values.items():
            ws[f"{letter}{r}"] = value
        ws[f"M{r}"].number_format = "0.00%"


def _comparison_sheet(wb: Workbook, c: Communication) -> None:
    ws = wb.create_sheet("Default_Comparison")
    header = [
        "CN code",
        "Product name",
        "SEE counted (actual)",
        "Default key",
        "Default direct",
        "Default indirect",
        "Mark-up",
        "Default counted incl. mark-up",
        "Difference per t",
        "Quantity (t)",
        "Difference (tCO2e)",
        "Certificate price (EUR)",
        "Difference (EUR)",
        "Default source",
    ]
    ws.append(header)
    for cell in ws[1]:
        cell.font = _BOLD
    for g in c.goods:
        d = g.default_comparison
        if d is None:
            ws.append([g.cn_code, g.product_name, g.see_counted, "; ".join(g.notes)])
            continue
        ws.append(
            [
                g.cn_code,
                g.product_name,
                g.see_counted,
                d.default_key,
                d.default_direct,
                d.default_indirect,
                d.markup,
                d.default_counted_per_t,
                d.difference_per_t,
                d.quantity_t,
                d.difference_t,
                d.certificate_price_eur,
                d.difference_eur,
                d.source,
            ]
        )


def _receipts_sheet(wb: Workbook, c: Communication) -> None:
    ws = wb.create_sheet("Receipts")
    ws.append(
        [
            "Entry id",
            "Entry type",
            "Leaf index",
            "Tree size",
            "Root hash",
            "Transaction hash",
            "Receipt (JSON)",
        ]
    )
    for cell in ws[1]:
        cell.font = _BOLD
    for r in c.receipts:
        raw_entry, raw_anchor = r.get("entry"), r.get("anchor")
        entry: dict[str, Any] = raw_entry if isinstance(raw_entry, dict) else {}
        anchor: dict[str, Any] = raw_anchor if isinstance(raw_anchor, dict) else {}
        ws.append(
            [
                str(entry.get("id", r.get("entryId", ""))),
                str(entry.get("type", "")),
                r.get("leafIndex"),
                r.get("treeSize"),
                str(r.get("rootHash", "")),
                str(anchor.get("transactionHash", r.get("transactionHash", ""))),
                json.dumps(r, sort_keys=True, ensure_ascii=False),
            ]
        )


def write_communication_xlsx(communication: Communication, target: str | Path | IO[bytes]) -> None:
    """Write the workbook to a path or a binary stream."""
    c = communication
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_NAME
    ws["B2"] = "Communication with reporting declarants"
    ws["B2"].font = Font(bold=True, size=14)
    ws["D5"] = (
        "Summary of the installation, its production processes and the specific embedded emissions of its "
        f"goods for reporting period {c.period}, for the reporting declarants importing the goods into the "
        "European Union. Headers and content in English."
    )
    ws["C8"], ws["D8"] = 1, "Summary of the installation and production processes"
    for cell in ("D8", "D10", "I10", "AB10", "AM10", "D23"):
        ws[cell].font = _BOLD
    _installation_section(ws, c)
    _routes_section(ws, c)
    _emissions_section(ws, c)
    _products_section(ws, c)
    ws.column_dimensions["D"].width = 48
    ws.column_dimensions["G"].width = 28
    _comparison_sheet(wb, c)
    _receipts_sheet(wb, c)
    wb.save(target)  # type: ignore[arg-type]


def communication_to_xlsx(communication: Communication) -> bytes:
    """The workbook as bytes."""
    buffer = io.BytesIO()
    write_communication_xlsx(communication, buffer)
    return buffer.getvalue()
