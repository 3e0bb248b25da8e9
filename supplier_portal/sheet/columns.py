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

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "DATA_SOURCE_NAMES",
    "DATE_COLUMNS",
    "MAX_CELL_CHARS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "NUMBER_COLUMNS",
    "N_",
    "SECTIONS",
    "SECTION_NAMES",
    "CellError",
    "SheetInvalid",
    "column_for_header",
    "data_source_key",
    "section_key",
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
