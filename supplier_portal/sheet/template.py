"""The downloadable activity template, in the user's language.

XLSX: sheet 1 (活动数据 / Activity data) has one header row of column labels in the user's language and one
example row per section (section names, units and data-source names in that language too); numbers are stored
as numbers and dates as dates; data validation offers the sections, data sources and units as drop-downs and
refuses text in the number and date columns. Sheet 2 (说明 / Instructions) says what each column holds, what
the reference column means in each section, how GEC rows name their electricity row, the units and the limits.
CSV: the same header and examples, UTF-8 with a BOM so that Excel opens the Chinese correctly.

Uploads accept both languages' headers and names (:mod:`supplier_portal.sheet.upload`), so either template
reads back to the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from footprint_engine.units import UNIT_NAMES, UNIT_NAMES_OFFERED
from supplier_portal.sheet.columns import (
    COLUMN_LABELS,
    COLUMNS,
    DATA_SOURCE_NAMES,
    DATE_COLUMNS,
    GENERATION_TYPE_NAMES,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    N_,
    NUMBER_COLUMNS,
    SECTION_NAMES,
    SECTIONS,
)

__all__ = ["EXAMPLE_ROWS", "template_csv", "template_xlsx"]

Translate = Callable[[str], str]

#: One example row per section (machine keys and canonical units; the Chinese template shows them in Chinese).
EXAMPLE_ROWS: list[dict[str, str]] = [
    {"section": "material", "id": "alumina", "name": "smelter-grade alumina", "reference": "88.118.5/ALUMINA-SGA",
     "amount": "192000", "unit": "t", "data_source": "secondary", "factor_id": "material/alumina/CN/2021"},
    {"section": "packaging", "id": "pallets", "name": "wooden pallets", "reference": "wood_pallet",
     "amount": "4000", "unit": "piece", "data_source": "primary"},
    {"section": "fuel", "id": "natural-gas", "name": "natural gas", "reference": "natural_gas",
     "amount": "3000000", "unit": "m3", "data_source": "primary"},
    {"section": "electricity", "id": "electricity", "name": "potline electricity", "reference": "CN-YN",
     "amount": "1350000", "unit": "MWh", "data_source": "primary"},
    {"section": "gec", "id": "gec-1", "reference": "electricity", "amount": "300000", "unit": "MWh",
     "serial": "GEC-2024-YN-HYD-000123", "generation_type": "hydro", "production_date": "2024-04-15",
     "cancellation_date": "2025-01-20"},
    {"section": "heat", "id": "steam", "name": "purchased steam", "reference": "steam", "amount": "12000",
     "unit": "GJ", "data_source": "primary"},
    {"section": "transport", "id": "alumina-rail", "name": "alumina", "reference": "rail", "amount": "192000",
     "unit": "t", "distance_km": "1200"},
    {"section": "process_emission", "id": "anode-co2", "name": "CO2 from anode oxidation", "reference": "CO2",
     "amount": "150000", "unit": "t", "data_source": "primary"},
    {"section": "waste", "id": "spl", "name": "spent pot lining", "reference": "landfill", "amount": "2500",
     "unit": "t"},
]  # fmt: skip
_EXAMPLE_NAMES_ZH = {
    "alumina": "冶金级氧化铝",
    "pallets": "木托盘",
    "natural-gas": "天然气",
    "electricity": "电解槽用电",
    "steam": "外购蒸汽",
    "alumina-rail": "氧化铝",
    "anode-co2": "阳极氧化产生的二氧化碳",
    "spl": "废阴极内衬",
}
_UNIT_NAME_ZH = {unit: name for name, (unit, power) in reversed(UNIT_NAMES.items()) if power == 0}

# what each column holds (msgids), in COLUMNS order, and whether it is required
_COLUMN_HELP = {
    "section": N_("Which kind of input the row is; choose from the list (see the sections below)."),
    "id": N_("A short id of your own for the row, unique in the file (letters, digits, - and _)."),
    "name": N_("What the input is, in your own words; for transport, the id of the input carried."),
    "reference": N_("Depends on the section (see the sections below)."),
    "amount": N_("The quantity in the reporting period, a number of zero or more."),
    "unit": N_("The unit of the amount; choose from the list (see the units below)."),
    "distance_km": N_("Transport rows only: the distance in kilometres."),
    "data_source": N_(
        "Primary data (measured at your site) or secondary data (from a database or literature)."
    ),
    "factor_id": N_(
        "The emission factor's id from the factor library; leave empty to let the exchange choose."
    ),
    "serial": N_("GEC rows only: the certificate serial."),
    "generation_type": N_("GEC rows only: hydro, wind, pv, biomass …"),
    "production_date": N_("GEC rows only: when the electricity was generated (YYYY-MM-DD)."),
    "cancellation_date": N_("GEC rows only: when the certificate was cancelled for you (YYYY-MM-DD)."),
    "claimant": N_("GEC rows only: who the certificate was cancelled for; empty means your organisation."),
    "evidence": N_(
        "CIDs of the supporting evidence files (bills, certificates, test reports), separated by spaces; "
        "upload the files on the Evidence page first."
    ),
}
_REQUIRED = ("section", "id", "amount", "unit")
_SECTION_HELP = {
    "material": (N_("Raw materials and purchased parts"), N_("the material's identifier (e.g. its IDIS handle)")),
    "packaging": (N_("Packaging"), N_("the packaging material")),
    "fuel": (N_("Fuels burnt on site"), N_("the fuel key, e.g. natural_gas, diesel, raw_coal")),
    "electricity": (N_("Electricity bought from the grid"), N_("the grid region, e.g. CN-YN")),
    "heat": (N_("Purchased heat or steam"), N_("steam, hot-water or heat")),
    "transport": (N_("Transport of inputs"), N_("the mode: road-truck, rail, sea-container, sea-bulk, "
                                                "inland-waterway, air")),
    "process_emission": (N_("Process emissions"), N_("the gas, e.g. CO2, CH4, N2O, CF4, C2F6")),
    "waste": (N_("Waste sent for treatment"), N_("the treatment: landfill, incineration, recycling …")),
    "gec": (N_("Green electricity certificates (GEC) claimed"), N_("the id of the electricity row the "
                                                                   "certificates cover; 1 GEC = 1 MWh")),
}  # fmt: skip


def _gettext(locale: str) -> Translate:
    from supplier_portal.i18n import translations

    return translations(locale).gettext


def _shown(row: dict[str, str], locale: str) -> dict[str, str]:
    """A row as the template in ``locale`` writes it (section, unit, data source and example names in Chinese)."""
    if not locale.startswith("zh"):
        return {c: row.get(c, "") for c in COLUMNS}
    out = {c: row.get(c, "") for c in COLUMNS}
    out["section"] = SECTION_NAMES.get(out["section"], out["section"])
    out["unit"] = _UNIT_NAME_ZH.get(out["unit"], out["unit"])
    out["data_source"] = DATA_SOURCE_NAMES.get(out["data_source"], out["data_source"])
    return out


def _examples(locale: str) -> list[dict[str, str]]:
    if not locale.startswith("zh"):
        return EXAMPLE_ROWS
    return [
        r
        | {"name": _EXAMPLE_NAMES_ZH.get(r["id"], r.get("name", ""))}
        | (
            {"generation_type": GENERATION_TYPE_NAMES[r["generation_type"]]}
            if r.get("generation_type")
            else {}
        )
        for r in EXAMPLE_ROWS
    ]


def template_csv(rows: list[dict[str, str]] | None = None, *, locale: str = "en") -> bytes:
    """The template (or ``rows``) as CSV in UTF-8 with a BOM, headers and names in ``locale``."""
    _ = _gettext(locale)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(COLUMN_LABELS[c]) for c in COLUMNS])
    for row in _examples(locale) if rows is None else rows:
        shown = _shown(row, locale)
        writer.writerow([shown[c] for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number(text: str) -> int | float | str:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _date(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _cell_value(column: str, text: str) -> Any:
    if not text:
        return None
    if column in NUMBER_COLUMNS:
        return _number(text)
    if column in DATE_COLUMNS:
        return _date(text)
    return text


def template_xlsx(rows: list[dict[str, str]] | None = None, *, locale: str = "en") -> bytes:
    """The template (or ``rows``) as XLSX in ``locale``: the data sheet with drop-downs and checks, and the
    instructions sheet (module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    _ = _gettext(locale)
    zh = locale.startswith("zh")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Activity data")
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.append([_(COLUMN_LABELS[c]) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = head_fill
    for row in _examples(locale) if rows is None else rows:
        shown = _shown(row, locale)
        sheet.append([_cell_value(c, shown[c]) for c in COLUMNS])
    sheet.freeze_panes = "A2"
    letter = {c: get_column_letter(i + 1) for i, c in enumerate(COLUMNS)}
    last = MAX_ROWS + 1
    for c in COLUMNS:
        sheet.column_dimensions[letter[c]].width = (
            24 if c in ("name", "reference", "factor_id", "serial") else 14
        )
    for c in DATE_COLUMNS:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=COLUMNS.index(c) + 1, max_col=COLUMNS.index(c) + 1):
            cell.number_format = "yyyy-mm-dd"

    def listed(column: str, values: list[str], *, strict: bool) -> None:
        check = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        check.errorStyle = "stop" if strict else "warning"
        check.error = _("Choose a value from the list.")
        check.errorTitle = _(COLUMN_LABELS[column])
        check.showErrorMessage = True
        sheet.add_data_validation(check)
        check.add(f"{letter[column]}2:{letter[column]}{last}")

    sections = [SECTION_NAMES[s] for s in SECTIONS] if zh else list(SECTIONS)
    listed("section", sections, strict=True)
    units = (
        list(UNIT_NAMES_OFFERED) if zh else list(dict.fromkeys(UNIT_NAMES[n][0] for n in UNIT_NAMES_OFFERED))
    )
    listed("unit", units, strict=False)  # other units pint knows stay allowed; the list is the usual ones
    sources = list(DATA_SOURCE_NAMES.values()) if zh else list(DATA_SOURCE_NAMES)
    listed("data_source", sources, strict=True)
    for c in NUMBER_COLUMNS:
        check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        check.error = _("Enter a number that is zero or more.")
        check.errorTitle = _(COLUMN_LABELS[c])
        check.showErrorMessage = True
        sheet.add_data_validation(check)
        check.add(f"{letter[c]}2:{letter[c]}{last}")
    for c in DATE_COLUMNS:
        check = DataValidation(
            type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True
        )
        check.error = _("Enter a date (YYYY-MM-DD).")
        check.errorTitle = _(COLUMN_LABELS[c])
        check.showErrorMessage = True
        sheet.add_data_validation(check)
        check.add(f"{letter[c]}2:{letter[c]}{last}")
    _instructions(book.create_sheet(_("Instructions")), _, zh, bold, head_fill, Alignment(wrap_text=True))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instructions(sheet: Any, _: Translate, zh: bool, bold: Any, fill: Any, wrap: Any) -> None:
    from openpyxl.styles import Font

    title = Font(bold=True, size=14)

    def heading(text: str) -> None:
        sheet.append([])
        sheet.append([text])
        sheet.cell(sheet.max_row, 1).font = bold

    def table(head: list[str], rows: list[list[str]]) -> None:
        sheet.append(head)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.fill = fill
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap

    sheet.append([_("How to fill in the activity data template")])
    sheet.cell(1, 1).font = title
    sheet.append([_("One row per input of the reporting period, on the first sheet; the example rows show one "
                    "input of each section: replace them with your own. Keep the header row.")])  # fmt: skip
    heading(_("Columns"))
    table(
        [_("Column"), _("What it holds"), _("Required")],
        [[_(COLUMN_LABELS[c]), _(_COLUMN_HELP[c]), _("yes") if c in _REQUIRED else ""] for c in COLUMNS],
    )
    heading(_("Sections"))
    table(
        [_("Section"), _("What a row of it is"), _("The reference column holds")],
        [[SECTION_NAMES[s] if zh else s, _(what), _(ref)] for s, (what, ref) in _SECTION_HELP.items()],
    )
    heading(_("Green electricity certificates (GEC)"))
    sheet.append([_("A GEC row's reference is the id of the electricity row whose electricity the certificates "
                    "cover; its amount is the number of certificates in MWh (1 GEC = 1 MWh), with the serial, "
                    "generation type, production date and cancellation date.")])  # fmt: skip
    heading(_("Units"))
    offered = [(name, *UNIT_NAMES[name]) for name in UNIT_NAMES_OFFERED]
    table(
        [_("Unit as written"), _("Unit in the activity data"), _("Amount multiplied by")],
        [[name if zh else unit, unit, str(10**power)] for name, unit, power in offered],
    )
    sheet.append(
        [_("Other units are accepted too, e.g. 公斤, 度, 公里, 方, or kg, kWh, km written in letters.")]
    )
    heading(_("Limits"))
    sheet.append([_("At most {rows} rows and {mib} MiB a file; more rows: split them into several files.")
                  .format(rows=f"{MAX_ROWS:,}", mib=MAX_UPLOAD_BYTES >> 20)])  # fmt: skip
    sheet.append([_("CSV files may be UTF-8 (with or without BOM) or GB18030/GBK, as Excel saves them; "
                    "in an XLSX file the sheet with the header row is read, its cells' values only.")])  # fmt: skip
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 60
