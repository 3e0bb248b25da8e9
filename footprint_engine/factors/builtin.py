"""The built-in factor set: data/*.csv turned into :class:`Factor` records, sources kept.

Conversions done here are recorded in each factor's ``note`` so the figure can be traced back to the row
it came from. Every built-in factor carries library metadata: Chinese and English names, a search category,
the data source (:mod:`footprint_engine.factors.sources`) and the library version :data:`LIBRARY_VERSION`.
The China reference tables (MEE electricity factors, CPCD and international materials) are read by
:mod:`footprint_engine.factors.builtin_cn`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources

from footprint_engine.factors.builtin_cn import LIBRARY_VERSION, electricity_factors, material_factors
from footprint_engine.factors.model import EnergyCoefficient, Factor, flow_key

__all__ = [
    "CN_NCV_ROWS",
    "LIBRARY_VERSION",
    "builtin_energy_coefficients",
    "builtin_factors",
    "read_long_format",
]

_T_TO_KG = 1000.0


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("footprint_engine.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _sources(rows: list[dict[str, str]], column: str = "source") -> list[str]:
    """Resolve 'same' / 'same …' in a source column to the last full source above it."""
    out: list[str] = []
    last = ""
    for row in rows:
        src = row[column].strip()
        if src == "same" or src.startswith("same "):
            out.append(last + (f" [{src[5:].strip()}]" if len(src) > 5 else ""))
        else:
            last = src
            out.append(src)
    return out


#: cn-default fuel → row of energy_gbt2589.csv holding the NCV its factor was formed with. Natural gas: the
#: Chinese guide default 389.31 GJ/10^4 m3 is the figure GB/T 2589 lists for oil-field gas (38931 kJ/m3).
CN_NCV_ROWS = {
    "raw_coal": "raw_coal", "coke": "coke", "crude_oil": "crude_oil", "fuel_oil": "fuel_oil",
    "gasoline": "gasoline", "kerosene": "kerosene", "diesel": "diesel", "lpg": "lpg",
    "natural_gas": "natural_gas_oilfield",
}  # fmt: skip


#: fuel names (zh, en) of fuels_cn_default.csv and fuels_ipcc2006.csv
_FUEL_NAMES = {
    "raw_coal": ("原煤", "Raw coal"), "coke": ("焦炭", "Coke"), "crude_oil": ("原油", "Crude oil"),
    "fuel_oil": ("燃料油", "Fuel oil"), "gasoline": ("汽油", "Gasoline"), "kerosene": ("煤油", "Kerosene"),
    "diesel": ("柴油", "Diesel"), "lpg": ("液化石油气", "LPG"), "natural_gas": ("天然气", "Natural gas"),
    "gas_diesel_oil": ("柴油", "Gas/diesel oil"), "motor_gasoline": ("车用汽油", "Motor gasoline"),
    "residual_fuel_oil": ("残渣燃料油", "Residual fuel oil"), "other_kerosene": ("其他煤油", "Other kerosene"),
    "petroleum_coke": ("石油焦", "Petroleum coke"), "other_bituminous_coal": ("其他烟煤", "Other bituminous coal"),
    "sub_bituminous_coal": ("次烟煤", "Sub-bituminous coal"), "lignite": ("褐煤", "Lignite"),
    "anthracite": ("无烟煤", "Anthracite"),
}  # fmt: skip


def _gbt2589_ncv() -> dict[str, tuple[float, str, str]]:
    """GB/T 2589 row → (NCV in GJ per unit, unit, source); kJ/kg = GJ/t, kJ/m3 = GJ/1000 m3."""
    rows = _rows("energy_gbt2589.csv")
    out = {}
    for row, src in zip(rows, _sources(rows), strict=True):
        if row["ncv"] and row["ncv_unit"] in ("kJ/kg", "kJ/m3"):
            out[row["energy"]] = (float(row["ncv"]) / 1e6, row["ncv_unit"].split("/")[1], src)
    return out


def _fuels_cn() -> Iterator[Factor]:
    rows = _rows("fuels_cn_default.csv")
    ncvs = _gbt2589_ncv()
    for row, source in zip(rows, _sources(rows), strict=True):
        t_co2 = float(row["tco2_per_unit"])
        fuel = row["fuel"]
        if row["unit"] == "1000 m3":
            unit, value, conv = "m3", t_co2 * _T_TO_KG / 1000.0, "tCO2/1000 m3 → kgCO2/m3"
        else:
            unit, value, conv = "t", t_co2 * _T_TO_KG, "tCO2/t → kgCO2/t"
        ncv_row = ncvs.get(CN_NCV_ROWS.get(fuel, ""))
        ncv = None
        if ncv_row is not None:  # GJ per kg or m3 → GJ per factor unit
            ncv = ncv_row[0] * (1000.0 if unit == "t" else 1.0) if ncv_row[1] in ("kg", "m3") else None
        zh, en = _FUEL_NAMES[fuel]
        yield Factor(
            id=f"fuel/cn-default/{fuel}",
            kind="fuel",
            key=f"cn-default:{fuel}",
            geography="CN",
            year=None,
            unit=unit,
            emissions={flow_key("CO2", "fossil"): value},
            source=source,
            name_zh=f"{zh}燃烧二氧化碳排放因子（核算指南缺省值）",
            name_en=f"{en}, combustion CO2 (Chinese GHG guide default)",
            category="fuel",
            scope="combustion CO2 only",
            source_id="cn-ghg-guides",
            note=(
                f"combustion CO2 only; carbon content {row['carbon_content_tc_per_tj']} tC/TJ, "
                f"oxidation {row['oxidation_rate']}; {row['tco2_per_unit']} {conv}"
            ),
            ncv_gj_per_unit=ncv,
            ncv_source=(
                f"GB/T 2589-2020 net calorific value of {CN_NCV_ROWS[fuel]}: {ncv_row[0] * 1e6:g} kJ/{ncv_row[1]} "
                f"({ncv_row[2]})"
                if ncv_row is not None and ncv is not None
                else None
            ),
        )


def _ipcc_flows(row: dict[str, str], tj_per_unit: float) -> dict[str, float]:
    flows = {flow_key("CO2", "fossil"): float(row["co2_kg_per_tj"]) * tj_per_unit}
    if row["ch4_kg_per_tj"]:
        flows[flow_key("CH4", "fossil")] = float(row["ch4_kg_per_tj"]) * tj_per_unit
    if row["n2o_kg_per_tj"]:
        flows[flow_key("N2O", "fossil")] = float(row["n2o_kg_per_tj"]) * tj_per_unit
    return flows


def _fuels_ipcc() -> Iterator[Factor]:
    rows = _rows("fuels_ipcc2006.csv")
    for row, source in zip(rows, _sources(rows), strict=True):
        fuel = row["fuel"]
        zh, en = _FUEL_NAMES[fuel]
        meta = {
            "name_zh": f"{zh}固定源燃烧排放因子（IPCC 2006 缺省值）",
            "name_en": f"{en}, stationary combustion (IPCC 2006 default)",
            "category": "fuel",
            "scope": "combustion only (CO2; CH4 and N2O where the row gives them)",
            "source_id": "ipcc-2006",
            "source_url": "https://www.ipcc-nggip.iges.or.jp/public/2006gl/vol2.html",
            "publisher": "IPCC",
        }
        if not row["ncv_tj_per_gg"]:  # no NCV: the factor stays per TJ (amounts must be given as energy)
            yield Factor(
                id=f"fuel/ipcc-2006/{fuel}",
                kind="fuel",
                key=f"ipcc-2006:{fuel}",
                geography="GLO",
                year=2006,
                unit="TJ",
                emissions=_ipcc_flows(row, 1.0),
                source=source,
                note="combustion only; kg/TJ as published (no NCV in the source row: give the amount as energy)",
                **meta,  # type: ignore[arg-type]
            )
            continue
        ncv_tj_per_t = float(row["ncv_tj_per_gg"]) / 1000.0
        flows = _ipcc_flows(row, ncv_tj_per_t)
        yield Factor(
            id=f"fuel/ipcc-2006/{fuel}",
            kind="fuel",
            key=f"ipcc-2006:{fuel}",
            geography="GLO",
            year=2006,
            unit="t",
            emissions=flows,
            source=source,
            note=(
                f"combustion only; kg/TJ × NCV {row['ncv_tj_per_gg']} TJ/Gg; CH4/N2O only where the "
                "source row gives them"
            ),
            ncv_gj_per_unit=float(row["ncv_tj_per_gg"]),  # TJ/Gg = GJ/t
            ncv_source=f"IPCC 2006 NCV {row['ncv_tj_per_gg']} TJ/Gg ({source})",
            **meta,  # type: ignore[arg-type]
        )


def read_long_format(rows: list[dict[str, str]], kind: str, *, prefix: str | None = None) -> list[Factor]:
    """Rows ``key,geography,year,value,unit,gas,origin,uncertainty_gsd,illustrative,source`` → factors.

    Rows with the same (key, geography, year) are one factor with several flows. ``unit`` is
    ``<emission unit>/<activity unit>`` with the emission unit kg…; the activity unit becomes the factor unit.
    """
    grouped: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault((row["key"], row["geography"], row["year"]), []).append(row)
    sources = dict(zip((id(r) for r in rows), _sources(rows), strict=True))
    out = []
    for (key, geo, year), group in grouped.items():
        first = group[0]
        per = first["unit"].split("/", 1)[1]
        flows = {flow_key(r["gas"], r["origin"]): float(r["value"]) for r in group}
        gsd = first.get("uncertainty_gsd") or ""
        out.append(
            Factor(
                id=f"{prefix or kind}/{key}/{geo}/{year}" if year else f"{prefix or kind}/{key}/{geo}",
                kind=kind,  # type: ignore[arg-type]
                key=key,
                geography=geo,
                year=int(year) if year else None,
                unit=per,
                emissions=flows,
                source=sources[id(first)],
                uncertainty_gsd=float(gsd) if gsd else None,
                illustrative=(first.get("illustrative", "false").strip().lower() == "true"),
                note=f"per {per}; emissions in {first['unit'].split('/', 1)[0]}",
            )
        )
    return out


#: library metadata of the long-format files: file → (kind, category, source_id, {key: (name_zh, name_en)})
_LONG_FILES: dict[str, tuple[str, str, str, dict[str, tuple[str, str]]]] = {
    "generation_types.csv": ("electricity-generation", "generation-footprint", "ipcc-ar5", {
        "hydro": ("水力发电", "Hydropower"), "wind": ("风力发电（陆上）", "Onshore wind power"),
        "pv": ("光伏发电（地面电站）", "Utility-scale solar PV"), "nuclear": ("核能发电", "Nuclear power"),
        "biomass": ("生物质发电（专用）", "Dedicated biomass power"), "geothermal": ("地热发电", "Geothermal power"),
        "csp": ("光热发电", "Concentrated solar power"),
    }),
    "transport.csv": ("transport", "transport", "illustrative", {
        "road-truck": ("公路货运（柴油货车）", "Road freight, diesel truck"), "rail": ("铁路货运", "Rail freight"),
        "sea-container": ("海运（集装箱船）", "Sea freight, container ship"),
        "sea-bulk": ("海运（散货船）", "Sea freight, bulk carrier"),
        "inland-waterway": ("内河航运", "Inland waterway freight"), "air": ("航空货运", "Air freight"),
    }),
    "materials.csv": ("material", "chemical", "illustrative", {
        "aluminium-fluoride": ("氟化铝", "Aluminium fluoride"),
    }),
    "waste.csv": ("waste", "waste", "illustrative", {
        "landfill": ("填埋", "Landfill"), "incineration": ("焚烧", "Incineration"),
        "incineration-energy-recovery": ("焚烧（能量回收）", "Incineration with energy recovery"),
        "recycling": ("回收利用", "Recycling"), "composting": ("堆肥", "Composting"),
    }),
    "heat.csv": ("heat", "heat", "cn-ghg-guides", {
        "steam": ("外购蒸汽", "Purchased steam"), "hot-water": ("外购热水", "Purchased hot water"),
        "heat": ("外购热力", "Purchased heat"),
    }),
}  # fmt: skip


def _long_file(name: str) -> list[Factor]:
    kind, category, source_id, names = _LONG_FILES[name]
    out = []
    for f in read_long_format(_rows(name), kind):
        zh, en = names[f.key]
        if source_id == "ipcc-ar5":
            zh, en = (
                f"{zh}生命周期排放（IPCC AR5 全球中位数）",
                f"{en}, life-cycle emissions (IPCC AR5 global median)",
            )
        elif source_id == "illustrative":
            zh, en = f"{zh}（示意值）", f"{en} (illustrative)"
        else:
            zh, en = f"{zh}二氧化碳排放因子（核算指南缺省值）", f"{en}, CO2 (Chinese GHG guide default)"
        out.append(
            f.model_copy(update={"name_zh": zh, "name_en": en, "category": category, "source_id": source_id})
        )
    return out


#: ids that are alternatives of each other although neither their key nor their Chinese name is the same
_ALTERNATIVE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("material/primary-aluminium-electrolytic/CN/2018", "material/primary-aluminium/CN/2012",
     "material/primary-aluminium/GLOBAL/2022", "material/primary-aluminium-scope12-upstream3/GLOBAL/2023"),
    ("material/copper-and-alloys/CN/2021", "material/copper-metal/CN/2019", "material/cathode-copper-jinfeng/CN/2019"),
    ("material/polypropylene/CN/2021", "material/polypropylene-coal-mto/CN/2022",
     "material/polypropylene-integrated-refinery/CN/2021"),
    ("material/soda-ash/CN/2014", "material/soda-ash-gate/CN/2025"),
    ("transport/road-process/CN/2025", "transport/truck-diesel-average/CN/2024", "transport/truck-diesel-heavy/CN/2024"),
    ("transport/rail-process/CN/2025", "transport/rail-freight/CN/2024"),
    ("transport/air-process/CN/2025", "transport/air-freight/CN/2024"),
    ("transport/water-process/CN/2025", "transport/inland-container-ship/CN/2024",
     "transport/inland-dry-bulk/CN/2024"),
)  # fmt: skip
#: sources whose rows are compared for alternatives (the table rows, not the fuel and electricity defaults)
_ALTERNATIVE_SOURCES = ("cpcd", "international-industry", "published-literature", "illustrative")


def _with_alternatives(factors: list[Factor]) -> list[Factor]:
    """Add to each table row's note the other rows for the same thing: same key, same Chinese name or a group
    of :data:`_ALTERNATIVE_GROUPS` (conflicting values stay side by side; a result names the one it used)."""
    rows = {f.id: f for f in factors if f.source_id in _ALTERNATIVE_SOURCES}
    groups: dict[str, set[str]] = {fid: set() for fid in rows}
    by: dict[tuple[str, str], list[str]] = {}
    for f in rows.values():
        by.setdefault(("key", f"{f.kind}:{f.key}"), []).append(f.id)
        by.setdefault(("name", f.name_zh or f.id), []).append(f.id)
    for ids in [*by.values(), *_ALTERNATIVE_GROUPS]:
        for fid in ids:
            groups[fid].update(i for i in ids if i != fid)
    out = []
    for f in factors:
        others = sorted(groups.get(f.id, ()))
        if not others:
            out.append(f)
            continue
        listed = "; ".join(_describe(rows[o]) for o in others)
        note = f"{f.note}; " if f.note else ""
        out.append(f.model_copy(update={"note": f"{note}alternatives in the library: {listed}"}))
    return out


def _describe(f: Factor) -> str:
    (flow, value), *_ = f.emissions.items()
    gas = flow.split("/")[0]
    return f"{f.id} ({value:g} kg{gas}/{f.unit}, {f.scope or 'boundary not stated'}{', illustrative' * f.illustrative})"


def builtin_factors() -> list[Factor]:
    """Every built-in factor, each with library version :data:`LIBRARY_VERSION`."""
    factors = [
        *electricity_factors(_rows("electricity_cn_provincial.csv")),
        *_fuels_cn(),
        *_fuels_ipcc(),
        *material_factors(_rows("materials_cn.csv")),
    ]
    for name in _LONG_FILES:
        factors.extend(_long_file(name))
    return [
        f if f.version == LIBRARY_VERSION else f.model_copy(update={"version": LIBRARY_VERSION})
        for f in _with_alternatives(factors)
    ]


def builtin_energy_coefficients() -> list[EnergyCoefficient]:
    """GB/T 2589-2020 coefficients (kgce per unit) from data/energy_gbt2589.csv."""
    rows = _rows("energy_gbt2589.csv")
    return [
        EnergyCoefficient(
            key=r["energy"],
            unit=r["unit"],
            kgce_per_unit=float(r["kgce_per_unit"]),
            source=src,
            ncv_kj_per_unit=float(r["ncv"]) if r["ncv"] else None,
        )
        for r, src in zip(rows, _sources(rows), strict=True)
    ]
