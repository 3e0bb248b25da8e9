"""The activity table's vocabulary: its columns and their labels, sections and their Chinese names, limits,
and the error types every step reports with.

A column is known by its machine key (``section``, ``amount`` …), its English label and its Chinese label (the
portal catalogues' translations of :data:`COLUMN_LABELS`); a section by its key (``material``) or its Chinese
name (原材料). Uploads accept any of these, so a template downloaded in either language reads back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from footprint_engine.units import UNIT_NAMES, UNIT_NAMES_OFFERED

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "DATA_SOURCE_NAMES",
    "DATE_COLUMNS",
    "GENERATION_TYPE_NAMES",
    "MAX_CELL_CHARS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "NUMBER_COLUMNS",
    "N_",
    "SECTIONS",
    "SECTION_NAMES",
    "SECTION_NAMES_EN",
    "CellError",
    "SheetInvalid",
    "column_for_header",
    "data_source_choices",
    "data_source_key",
    "generation_type_choices",
    "generation_type_key",
    "section_choices",
    "section_key",
    "unit_choices",
]

#: Limits of an upload, stated on the page and in the template's instructions. 20,000 rows of the template
#: (about 110 bytes a row in UTF-8, Chinese names included) fit in 8 MiB with room to spare; XLSX is smaller.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL_CHARS = 500


def N_(message: str) -> str:
    """Mark a msgid of the portal catalogues (translated when shown)."""
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
    "evidence",
)
NUMBER_COLUMNS = ("amount", "distance_km")
DATE_COLUMNS = ("production_date", "cancellation_date")
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
    "evidence": N_("Supporting evidence"),
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
#: The Chinese name of each section, as the zh template writes it and practitioners say it.
SECTION_NAMES: dict[str, str] = {
    "material": "原材料",
    "packaging": "包装",
    "fuel": "燃料",
    "electricity": "电力",
    "heat": "热力",
    "transport": "运输",
    "process_emission": "过程排放",
    "waste": "废弃物",
    "gec": "绿证",
}
#: The English name of each section, as the en pages show it (the option's value stays the section key).
SECTION_NAMES_EN: dict[str, str] = {
    "material": "Material",
    "packaging": "Packaging",
    "fuel": "Fuel",
    "electricity": "Electricity",
    "heat": "Heat",
    "transport": "Transport",
    "process_emission": "Process emission",
    "waste": "Waste",
    "gec": "GEC (green certificate)",
}
#: Generation types of green power as practitioners name them (the engine's keys: footprint_engine data
#: electricity-generation/<type>); typed or uploaded in Chinese, stored as the key.
GENERATION_TYPE_NAMES: dict[str, str] = {
    "hydro": "水电",
    "wind": "风电",
    "pv": "光伏",
    "biomass": "生物质发电",
    "nuclear": "核电",
    "csp": "光热",
    "geothermal": "地热",
}
_GENERATION_BY_NAME = {name: key for key, name in GENERATION_TYPE_NAMES.items()} | {
    "水力发电": "hydro",
    "风力发电": "wind",
    "光伏发电": "pv",
    "太阳能光伏": "pv",
    "生物质": "biomass",
    "核能发电": "nuclear",
    "光热发电": "csp",
}
#: GB/T 24067's terms for primary and secondary data.
DATA_SOURCE_NAMES: dict[str, str] = {"primary": "初级数据", "secondary": "次级数据"}
_SECTION_BY_NAME = {name: key for key, name in SECTION_NAMES.items()} | {
    "绿色电力证书": "gec",
    "材料": "material",
}
_DATA_SOURCE_BY_NAME = {name: key for key, name in DATA_SOURCE_NAMES.items()} | {"实测": "primary"}


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


def section_key(text: str) -> str:
    """``material`` for ``material``, ``Material`` or 原材料; anything else comes back stripped, lower-cased."""
    stripped = text.strip()
    return _SECTION_BY_NAME.get(stripped, stripped.lower())


def data_source_key(text: str) -> str:
    """``primary`` for ``primary`` or 初级数据 (``secondary``: 次级数据); anything else stripped, lower-cased."""
    stripped = text.strip()
    return _DATA_SOURCE_BY_NAME.get(stripped, stripped.lower())


def _header_text(text: str) -> str:
    # labels compare without case, spaces, a required-column mark or full-width brackets
    return text.strip().lower().rstrip("*＊").strip().replace("（", "(").replace("）", ")").replace(" ", "")


@cache
def _headers() -> dict[str, str]:
    from supplier_portal.i18n import LOCALES, translations

    known: dict[str, str] = {}
    for column in COLUMNS:
        known[_header_text(column)] = column
        for locale in LOCALES:
            known[_header_text(translations(locale).gettext(COLUMN_LABELS[column]))] = column
    return known


def column_for_header(text: str) -> str | None:
    """The column a header cell names: its key (``amount``), English label (Amount) or Chinese label (数量)."""
    return _headers().get(_header_text(text))


def section_choices(locale: str) -> list[tuple[str, str]]:
    """(section key, its name in ``locale``) for the grid's section list."""
    names = SECTION_NAMES if locale.startswith("zh") else SECTION_NAMES_EN
    return [(key, names[key]) for key in SECTIONS]


def unit_choices(locale: str) -> list[tuple[str, str]]:
    """(what the grid offers in its unit list, the unit the engine takes) in ``locale``: Chinese unit names for
    zh (mapped to canonical units when the document is built), the canonical units for en."""
    offered = [(name, UNIT_NAMES[name][0]) for name in UNIT_NAMES_OFFERED]
    if locale.startswith("zh"):
        return offered
    return [(unit, unit) for unit in dict.fromkeys(unit for _, unit in offered)]


def generation_type_key(text: str) -> str:
    """``hydro`` for ``hydro`` or 水电 / 水力发电; anything else stripped, lower-cased (the engine judges it)."""
    stripped = text.strip()
    return _GENERATION_BY_NAME.get(stripped, stripped.lower())


def data_source_choices(locale: str) -> list[tuple[str, str]]:
    """(what the grid offers for the data-source column, its meaning) in ``locale``."""
    if locale.startswith("zh"):
        return [(name, key) for key, name in DATA_SOURCE_NAMES.items()]
    return [(key, key) for key in DATA_SOURCE_NAMES]


def generation_type_choices(locale: str) -> list[tuple[str, str]]:
    """(what the grid offers for a GEC row's generation type, the engine's key) in ``locale``."""
    if locale.startswith("zh"):
        return [(name, key) for key, name in GENERATION_TYPE_NAMES.items()]
    return [(key, key) for key in GENERATION_TYPE_NAMES]
