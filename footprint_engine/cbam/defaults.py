"""Commission default values (Implementing Regulation (EU) 2025/2621 Annex I) in the `kind,key,value,unit,
note,source` shape of shared/reference/cbam.csv, the mark-up schedule, and which sectors count indirect
emissions in the definitive period.

Parser limits: at most `MAX_TABLE_BYTES` bytes and `MAX_TABLE_ROWS` rows; the header must be exactly
`EXPECTED_HEADER`; unknown kinds, duplicate keys, non-numeric values and rows of the wrong width are refused.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from footprint_engine.cbam.errors import CbamInputError, DefaultValueNotFoundError
from footprint_engine.cbam.scope import DATA_DIR

__all__ = [
    "EXPECTED_HEADER",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_ROWS",
    "DefaultTable",
    "DefaultValue",
    "bundled_default_table",
    "load_default_table",
    "parse_default_table",
]

EXPECTED_HEADER = ("kind", "key", "value", "unit", "note", "source")
MAX_TABLE_BYTES = 32 * 1024 * 1024
MAX_TABLE_ROWS = 500_000
_NUMERIC_KINDS = ("default_direct", "default_indirect", "markup")
_KINDS = (*_NUMERIC_KINDS, "indirect_counts", "de_minimis", "declaration_deadline")


@dataclass(frozen=True, slots=True)
class DefaultValue:
    """Default specific embedded emissions of one good (tCO2e/t), before any mark-up."""

    key: str
    direct: float
    indirect: float | None
    source: str


@dataclass(frozen=True, slots=True)
class _Row:
    value: str
    unit: str
    note: str
    source: str


class DefaultTable:
    """Parsed table: default values by key, mark-ups by (sector|)year, indirect-emission scope by sector."""

    def __init__(self, rows: dict[tuple[str, str], _Row], origin: str) -> None:
        self._rows = rows
        self.origin = origin

    def __len__(self) -> int:
        return len(self._rows)

    def default_value(self, country: str, code: str, route_code: str | None) -> DefaultValue:
        """Default for (country, CN/TARIC code, route letter): exact code, then shorter headings."""
        for length in range(len(code), 3, -1):
            prefix = code[:length]
            candidates = [f"{country}|{prefix}|{route_code}"] if route_code else []
            candidates.append(f"{country}|{prefix}")
            for key in candidates:
                direct = self._rows.get(("default_direct", key))
                if direct is None:
                    continue
                indirect = self._rows.get(("default_indirect", key))
                return DefaultValue(
                    key=key,
                    direct=float(direct.value),
                    indirect=None if indirect is None else float(indirect.value),
                    source=direct.source,
                )
        route = f" route {route_code}" if route_code else ""
        raise DefaultValueNotFoundError(
            f"default value for {country} CN {code}{route} not found in {self.origin} — load the "
            "Commission's full default-value table with load_default_table(), or give actual data"
        )

    def markup(self, sector: str, year: int) -> float:
        """Mark-up fraction on default values for the year (sector-specific row first, e.g. fertilisers)."""
        for scope in (f"{sector}|", ""):
            years = sorted(
                int(key[len(scope) :])
                for kind, key in self._rows
                if kind == "markup" and key.startswith(scope) and key[len(scope) :].isdigit()
            )
            if not years:
                continue
            if year < years[0]:
                return 0.0
            applicable = max(y for y in years if y <= year)
            return float(self._rows[("markup", f"{scope}{applicable}")].value)
        return 0.0

    def markup_source(self) -> str:
        for (kind, _), row in self._rows.items():
            if kind == "markup":
                return row.source
        return ""

    def indirect_counts(self, sector: str) -> bool:
        """Whether indirect emissions count towards CBAM obligations in the definitive period."""
        row = self._rows.get(("indirect_counts", sector))
        if row is None:
            raise DefaultValueNotFoundError(
                f"indirect-emission rule for sector {sector!r} not in {self.origin} — add an "
                "`indirect_counts` row (Regulation (EU) 2023/956 Annex II)"
            )
        return row.value == "yes"

    def indirect_counts_source(self, sector: str) -> str:
        row = self._rows.get(("indirect_counts", sector))
        return "" if row is None else row.source


def parse_default_table(text: str, *, origin: str = "<text>") -> DefaultTable:
    """Parse a default-value table in the `kind,key,value,unit,note,source` shape."""
    if len(text.encode("utf-8")) > MAX_TABLE_BYTES:
        raise CbamInputError(
            f"default-value table {origin} too large: over {MAX_TABLE_BYTES} bytes — split it per country"
        )
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != EXPECTED_HEADER:
        raise CbamInputError(
            f"default-value table {origin}: header got {header!r}, want {','.join(EXPECTED_HEADER)}"
        )
    rows: dict[tuple[str, str], _Row] = {}
    last_source = ""
    for line_no, fields in enumerate(reader, start=2):
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(EXPECTED_HEADER):
            raise CbamInputError(
                f"default-value table {origin} line {line_no}: got {len(fields)} fields, "
                f"want {len(EXPECTED_HEADER)} — quote values that contain commas"
            )
        if len(rows) >= MAX_TABLE_ROWS:
            raise CbamInputError(f"default-value table {origin}: more than {MAX_TABLE_ROWS} rows")
        kind, key, value, unit, note, source = (f.strip() for f in fields)
        if kind not in _KINDS:
            raise CbamInputError(
                f"default-value table {origin} line {line_no}: kind {kind!r} unknown — use one of "
                f"{', '.join(_KINDS)}"
            )
        if kind in ("default_direct", "default_indirect"):
            key = "|".join(part.replace(" ", "") for part in key.split("|"))
        if kind in _NUMERIC_KINDS:
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                raise CbamInputError(
                    f"default-value table {origin} line {line_no}: value {value!r} is not a number"
                ) from None
            if number < 0:
                raise CbamInputError(f"default-value table {origin} line {line_no}: negative value {value}")
        if source == "same":
            source = last_source
        last_source = source or last_source
        if (kind, key) in rows:
            raise CbamInputError(f"default-value table {origin} line {line_no}: duplicate {kind} {key!r}")
        rows[(kind, key)] = _Row(value=value, unit=unit, note=note, source=source)
    return DefaultTable(rows, origin)


def load_default_table(path: str | Path) -> DefaultTable:
    """Load a full Commission default-value table written in the reference CSV shape."""
    file = Path(path)
    if file.stat().st_size > MAX_TABLE_BYTES:
        raise CbamInputError(f"default-value table {file} too large: over {MAX_TABLE_BYTES} bytes")
    return parse_default_table(file.read_text(encoding="utf-8"), origin=str(file))


@functools.cache
def bundled_default_table() -> DefaultTable:
    """The small sourced table shipped in footprint_engine/data/cbam/default_values_cn.csv. Its origin, which the
    communication names, is that path inside the package — never where the server happens to keep it."""
    table = load_default_table(DATA_DIR / "default_values_cn.csv")
    table.origin = "footprint_engine/data/cbam/default_values_cn.csv"
    return table
