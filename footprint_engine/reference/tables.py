"""The registry of reference tables and one loader per table.

| name | file | what |
|---|---|---|
| gbt2589-coefficients | footprint_engine/data/energy_gbt2589.csv | GB/T 2589-2020 net calorific values, kgce per unit |
| fuel-defaults-cn | footprint_engine/data/fuels_cn_default.csv | carbon content, oxidation rate, tCO2 per unit |
| gwp100 | footprint_engine/data/gwp100.csv | IPCC AR6 and AR5 100-year GWPs |
| energy-limit-levels | reference/data/benchmarks_cn.csv | levels 1/2/3 of GB unit-product energy limits |
| park-indicators-aii2021 | reference/data/park_indicators_aii2021.csv (+ .md) | AII park evaluation indicators |

The first three files belong to the factor library, which reads them itself (footprint_engine.factors.builtin);
these tables are a read-only view of the same files, so one figure has one copy. The last two are copies of
``shared/reference`` files, unchanged.

Later tables are added here: a loader, its columns, and the SHA-256 of each released edition in ``_EDITIONS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources

from footprint_engine.reference.table import (
    Column,
    Provenance,
    ReferenceRow,
    ReferenceTable,
    ReferenceTableError,
    frozen,
    read_csv,
    sha256_of,
    typed_values,
)

__all__ = ["reference_table", "reference_table_names", "reference_tables"]

_FACTOR_DATA = "footprint_engine.data"
_REFERENCE_DATA = "footprint_engine.reference.data"
_SAMR_SAC = "国家市场监督管理总局、国家标准化管理委员会 (SAMR, SAC)"
_NDRC = "国家发展和改革委员会 (NDRC)"
_CHECK = re.compile(r"\bcheck\b", re.IGNORECASE)

#: table → {SHA-256 of its file(s): version}. A file whose digest is not here loads as "unrecorded-<sha>".
_EDITIONS: dict[str, dict[str, str]] = {
    "gbt2589-coefficients": {"e1f68d8ea34212897db42fb7c2fe9565a9e59f9b060ec98ec5ab40afea37bec0": "1"},
    "fuel-defaults-cn": {"7c47c962abba1703f6d869c467dd119b329fbbdc166424b66eb5900f011dbd25": "1"},
    "gwp100": {"0c7aad49944afba0dd774f1e08d6d7bc45026eff8b83af5d44a83f5f5ac1c350": "1"},
    "energy-limit-levels": {"b50c13561638144c3ccaaf66f9f2a769038981d17d402da82958333f8b997ccc": "2026-12"},
    # the CSV and the accounting text together (sha256_of of both)
    "park-indicators-aii2021": {"731b4137c919f087dee482b0cf68673dacb09c86d1ebe2b2663e20aa676782c9": "1"},
}


def _version(name: str, sha256: str) -> str:
    return _EDITIONS[name].get(sha256, f"unrecorded-{sha256[:12]}")


def resolve_same(rows: list[dict[str, str]], column: str, key: str) -> list[str]:
    """The ``column`` of each row with 'same' references written out.

    'same' is the row above's resolved value; 'same (note)' or 'same note' adds ' [note]'; 'same as X row' is
    the resolved value of the row whose ``key`` column is X.
    """
    out: list[str] = []
    by_key: dict[str, str] = {}
    for i, row in enumerate(rows):
        text = row[column].strip()
        ref = re.fullmatch(r"same as (\S+) row", text)
        if ref:
            if ref.group(1) not in by_key:
                raise ReferenceTableError(
                    "source reference unresolved", f"row {i} says {text!r}", "name a row above", field=column
                )
            value = by_key[ref.group(1)]
        elif text == "same" or text.startswith(("same ", "same(")):
            if not out:
                raise ReferenceTableError(
                    "source reference unresolved", "first row says 'same'", "name it", field=column
                )
            rest = text[4:].strip()
            if rest.startswith("(") and rest.endswith(")"):
                rest = rest[1:-1]
            value = out[-1] + (f" [{rest}]" if rest else "")
        else:
            value = text
        out.append(value)
        by_key[row[key]] = value
    return out


# -- GB/T 2589-2020 -------------------------------------------------------------------------------------------

_GBT2589_COLUMNS = (
    Column("energy", "str", "能源名称", "Energy carrier"),
    Column("ncv", "float", "平均低位发热量", "Average net calorific value"),
    Column("ncv_unit", "str", "发热量单位", "Unit of the net calorific value"),
    Column("kgce_per_unit", "float", "折标准煤系数", "Standard-coal coefficient", "kgce per unit"),
    Column("unit", "str", "计量单位", "Unit of the energy carrier"),
)


def _factor_data_table(
    name: str,
    file: str,
    columns: tuple[Column, ...],
    key: str,
    *,
    title_zh: str,
    title_en: str,
    note: str,
    publisher: str | None,
    year: int | None,
    review_note: str | None,
    valid_from: date | None = None,
) -> ReferenceTable:
    """A read-only view of one of the factor library's files (footprint_engine/data/``file``).

    Each row's ``source`` has its 'same' references written out (:func:`resolve_same`, rows named by ``key``);
    a row is flagged for review when its source, or its ``note`` column where the file has one, says "check",
    with ``review_note`` or, when that is None, what the row's note says.
    """
    rows, data = read_csv(_FACTOR_DATA, file)
    sha = sha256_of(data)
    out = []
    for i, (row, source) in enumerate(zip(rows, resolve_same(rows, "source", key), strict=True)):
        row_note = row.get("note", "").strip()
        review = bool(_CHECK.search(row_note) or _CHECK.search(source))
        out.append(
            ReferenceRow(
                frozen(typed_values(row, columns, f"{file}:{i + 2}")),
                Provenance(
                    source=source,
                    publisher=publisher,
                    year=year,
                    review=review,
                    review_note=(review_note or f"the row says: {row_note}") if review else None,
                ),
                valid_from=valid_from,
            )
        )
    return ReferenceTable(
        name=name,
        title_zh=title_zh,
        title_en=title_en,
        version=_version(name, sha),
        columns=columns,
        rows=tuple(out),
        origin=f"footprint_engine/data/{file}",
        sha256=sha,
        note=note,
    )


def _gbt2589() -> ReferenceTable:
    return _factor_data_table(
        "gbt2589-coefficients",
        "energy_gbt2589.csv",
        _GBT2589_COLUMNS,
        "energy",
        title_zh="GB/T 2589-2020 综合能耗计算通则：各种能源折标准煤参考系数",
        title_en="GB/T 2589-2020 General rules for calculation of the comprehensive energy consumption: "
        "standard-coal coefficients of energy carriers",
        note=(
            "Issued 2020-09-29, in force 2021-04-01, by SAMR and SAC (dates read at "
            "https://www.chinesestandards.org/standards/GB/T%202589-2020). The factor library reads the same file "
            "for its energy coefficients and fuel NCVs; this table is a read-only view of it."
        ),
        publisher=_SAMR_SAC,
        year=2020,
        review_note="the source row says it is a secondary reproduction to check: compare with GB/T 2589-2020 "
        "Annex A before a result relies on it",
        valid_from=date(2021, 4, 1),
    )


# -- Chinese default fuel parameters --------------------------------------------------------------------------

_FUEL_COLUMNS = (
    Column("fuel", "str", "燃料品种", "Fuel"),
    Column("carbon_content_tc_per_tj", "float", "单位热值含碳量", "Carbon content per unit of heat", "tC/TJ"),
    Column("oxidation_rate", "float", "碳氧化率", "Oxidation rate", "1"),
    Column("tco2_per_unit", "float", "排放因子", "CO2 per unit of fuel", "tCO2 per unit"),
    Column("unit", "str", "计量单位", "Unit of the fuel"),
)


def _fuel_defaults() -> ReferenceTable:
    return _factor_data_table(
        "fuel-defaults-cn",
        "fuels_cn_default.csv",
        _FUEL_COLUMNS,
        "fuel",
        title_zh="化石燃料缺省参数（单位热值含碳量、碳氧化率）",
        title_en="Default fossil-fuel parameters of the Chinese GHG accounting guides",
        note=(
            "tco2_per_unit = carbon content × net calorific value × oxidation rate × 44/12, the NCV being the "
            "GB/T 2589-2020 one (natural gas: 38 931 kJ/m3). The factor library reads the same file."
        ),
        publisher=None,  # the rows name the guides, not their issuer
        year=None,
        review_note="the source row says it is a secondary reproduction to check against the sector's MEE "
        "accounting guide",
    )


# -- GWP100 ---------------------------------------------------------------------------------------------------

_GWP_COLUMNS = (
    Column("gas", "str", "温室气体", "Greenhouse gas"),
    Column("ar6", "float", "AR6 全球增温潜势（100年）", "AR6 GWP100", "kgCO2e/kg"),
    Column("ar5", "float", "AR5 全球增温潜势（100年）", "AR5 GWP100", "kgCO2e/kg"),
    Column("note", "str", "说明", "Note"),
)


def _gwp100() -> ReferenceTable:
    return _factor_data_table(
        "gwp100",
        "gwp100.csv",
        _GWP_COLUMNS,
        "gas",
        title_zh="全球增温潜势（100年，IPCC AR6 与 AR5）",
        title_en="100-year global warming potentials (IPCC AR6 and AR5)",
        note="The engine characterises flows with these values (footprint_engine.factors.gwp reads the same file).",
        publisher="IPCC",
        year=2021,  # AR6 WGI; the AR5 values are of 2013
        review_note=None,  # the row's own note says what to check
    )


# -- energy-consumption limit levels --------------------------------------------------------------------------

_LIMIT_COLUMNS = (
    Column("sector_zh", "str", "行业", "Sector"),
    Column("product_zh", "str", "产品", "Product (Chinese)"),
    Column("product_en", "str", "产品（英文）", "Product"),
    Column("indicator", "str", "指标", "Indicator"),
    Column("unit", "str", "单位", "Unit"),
    Column("benchmark", "float", "标杆水平", "Benchmark level"),
    Column("baseline", "float", "基准水平", "Baseline level"),
    Column("level1", "float", "1级", "Level 1"),
    Column("level2", "float", "2级", "Level 2"),
    Column("level3", "float", "3级（限定值）", "Level 3 (mandatory limit)"),
)
_STANDARD = re.compile(r"^(GB(?:/T)? \d+-\d{4})")
_EFFECTIVE = re.compile(r"effective (\d{4})-(\d{2})-(\d{2})")


def _energy_limits() -> ReferenceTable:
    rows, data = read_csv(_REFERENCE_DATA, "benchmarks_cn.csv")
    sha = sha256_of(data)
    # A standard's entry into force, where any of its rows states it ("effective 2027-01-01"), holds for all.
    in_force: dict[str, date] = {}
    for row in rows:
        std, eff = (
            _STANDARD.match(row["standard_or_document"]),
            _EFFECTIVE.search(row["standard_or_document"]),
        )
        if std and eff:
            in_force[std.group(1)] = date(*map(int, eff.groups()))
    out = []
    for i, row in enumerate(rows):
        document = row["standard_or_document"].strip()
        std = _STANDARD.match(document)
        if "DRAFT" in document:
            note = "DRAFT candidate transcription (not_for_formal_evaluation): never the basis of a compliance finding"
        elif std:
            note = (
                "third-party transcription of the standard's PDF, flagged requires_independent_review: check the "
                "standard's text (and its correction factors) before a result calls a plant compliant or not"
            )
        else:
            note = (
                "secondary report of the 2021-edition benchmark/baseline levels; the official table was not seen, "
                "and a 2023 edition (发改产业〔2023〕723号) exists"
            )
        out.append(
            ReferenceRow(
                frozen(typed_values(row, _LIMIT_COLUMNS, f"benchmarks_cn.csv:{i + 2}")),
                Provenance(
                    source=document,
                    publisher=_SAMR_SAC if std else _NDRC,
                    year=int(row["year"]),
                    url=row["source_url"].strip() or None,
                    verified_in=row["verified_in"].strip() or None,
                    review=True,
                    review_note=note,
                ),
                valid_from=in_force.get(std.group(1)) if std else None,
            )
        )
    return ReferenceTable(
        name="energy-limit-levels",
        title_zh="单位产品能源消耗限额等级（1级/2级/3级）及能效标杆/基准水平",
        title_en="Unit-product energy-consumption limit levels (1/2/3) and energy-efficiency benchmark/baseline",
        version=_version("energy-limit-levels", sha),
        columns=_LIMIT_COLUMNS,
        rows=tuple(out),
        origin="footprint_engine/reference/data/benchmarks_cn.csv",
        sha256=sha,
        note=(
            "Every row needs review (shared/reference/README-2026-12.md): levels transcribed by a third party, "
            "correction factors not applied, the 标杆/基准 tables of 2023 not found. Level 3 is the mandatory limit."
        ),
    )


# -- AII park indicators ----------------------------------------------------------------------------------------

_PARK_COLUMNS = (
    Column("level1", "str", "一级指标", "First-level indicator"),
    Column("level1_weight", "float", "一级权重", "First-level weight"),
    Column("level2_no", "int", "二级序号", "Second-level number"),
    Column("level2", "str", "二级指标", "Second-level indicator"),
    Column("level2_weight", "float", "二级权重", "Second-level weight"),
    Column("no", "int", "三级序号", "Third-level number"),
    Column("indicator", "str", "三级指标", "Third-level indicator"),
    Column("weight", "float", "三级权重", "Third-level weight"),
    Column("kind", "str", "类型（数值/是否）", "Kind (value or yes-no)"),
    Column("description_zh", "str", "说明", "Description (Chinese)"),
)
_PARK_DOCUMENT = "park_accounting_aii2021.md"


def _park_indicators() -> ReferenceTable:
    rows, data = read_csv(_REFERENCE_DATA, "park_indicators_aii2021.csv")
    document = resources.files(_REFERENCE_DATA).joinpath(_PARK_DOCUMENT).read_bytes()
    sha = sha256_of(data, document)
    provenance = Provenance(
        source="工业互联网产业联盟《工业互联网碳达峰碳中和园区指南（2021）》 §5 and its appendix",
        publisher="工业互联网产业联盟 (Alliance of Industrial Internet, AII)",
        year=2021,
    )
    out = [
        ReferenceRow(
            frozen(typed_values(row, _PARK_COLUMNS, f"park_indicators_aii2021.csv:{i + 2}")), provenance
        )
        for i, row in enumerate(rows)
    ]
    return ReferenceTable(
        name="park-indicators-aii2021",
        title_zh="工业互联网碳达峰碳中和园区评价指标（2021）",
        title_en="Industrial-internet dual-carbon park evaluation indicators (AII, 2021)",
        version=_version("park-indicators-aii2021", sha),
        columns=_PARK_COLUMNS,
        rows=tuple(out),
        origin=f"footprint_engine/reference/data/park_indicators_aii2021.csv + {_PARK_DOCUMENT}",
        sha256=sha,
        note="Score S = Σ W_i Σ W_j Σ W_k S_k (guide's formula (9)); the accounting formulas are in the document.",
        documents=(_PARK_DOCUMENT,),
        _document_reader=lambda name: (
            resources.files(_REFERENCE_DATA).joinpath(name).read_text(encoding="utf-8")
        ),
    )


_LOADERS: dict[str, Callable[[], ReferenceTable]] = {
    "gbt2589-coefficients": _gbt2589,
    "fuel-defaults-cn": _fuel_defaults,
    "gwp100": _gwp100,
    "energy-limit-levels": _energy_limits,
    "park-indicators-aii2021": _park_indicators,
}


def reference_table_names() -> list[str]:
    return list(_LOADERS)


@cache
def reference_table(name: str) -> ReferenceTable:
    """The table ``name`` (read once per process)."""
    loader = _LOADERS.get(name)
    if loader is None:
        raise ReferenceTableError(
            "unknown reference table",
            f"{name!r}; known: {', '.join(_LOADERS)}",
            "use one of those names",
            field="name",
        )
    return loader()


def reference_tables() -> list[ReferenceTable]:
    """Every registered table, in registration order."""
    return [reference_table(name) for name in _LOADERS]
