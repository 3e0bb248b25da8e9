"""The China reference tables of library release 2026.12: MEE electricity factors and the material table.

``data/electricity_cn_provincial.csv`` and ``data/materials_cn.csv`` are copies of ``shared/reference`` (unchanged);
each row becomes one :class:`Factor` with its names, category, boundary, source and terms. A row this module
cannot turn into a usable factor (unknown unit, unknown label, no category) raises
:class:`~footprint_engine.errors.FactorLibraryError` when the library loads: nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from footprint_engine.errors import FactorLibraryError
from footprint_engine.factors.geography import REGION_NAMES
from footprint_engine.factors.model import Factor, flow_key

__all__ = ["LIBRARY_VERSION", "MATERIAL_CATEGORIES", "electricity_factors", "material_factors"]

#: Version label of every built-in factor (the library release); results record it.
LIBRARY_VERSION = "2026.12"

CPCD_URL = "https://lca.cityghg.com/"

_CO2_KEYS = {  # national rows of the CO2 tables: label → key
    "全国": "co2",
    "全国（不包括市场化交易的非化石能源电量）": "co2-excl-market-non-fossil",
    "全国化石能源电力": "co2-fossil-only",
}
_CO2_NAMES = {
    "co2": ("全国电力平均二氧化碳排放因子", "Grid electricity CO2 emission factor, China average"),
    "co2-excl-market-non-fossil": (
        "全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）",
        "Grid electricity CO2 emission factor, China average excluding market-traded non-fossil electricity",
    ),
    "co2-fossil-only": (
        "全国化石能源电力二氧化碳排放因子",
        "Fossil-fuel electricity CO2 emission factor, China",
    ),
}
#: carbon-footprint rows: label → (kind, key, name_zh, name_en, category)
_FOOTPRINT_ROWS: dict[str, tuple[str, str, str, str, str]] = {
    "全国": ("electricity-grid", "footprint", "全国电力平均碳足迹因子",
             "Grid electricity carbon footprint factor, China average", "grid-footprint"),
    "全国-燃煤发电": ("electricity-generation", "coal", "燃煤发电碳足迹因子", "Coal-fired power", ""),
    "全国-燃气发电": ("electricity-generation", "gas", "燃气发电碳足迹因子", "Gas-fired power", ""),
    "全国-水力发电": ("electricity-generation", "hydro", "水力发电碳足迹因子", "Hydropower", ""),
    "全国-核能发电": ("electricity-generation", "nuclear", "核能发电碳足迹因子", "Nuclear power", ""),
    "全国-风力发电": ("electricity-generation", "wind", "风力发电碳足迹因子", "Wind power", ""),
    "全国-光伏发电": ("electricity-generation", "pv", "光伏发电碳足迹因子", "Solar photovoltaic power", ""),
    "全国-光热发电": ("electricity-generation", "csp", "光热发电碳足迹因子", "Concentrated solar power", ""),
    "全国-生物质发电": ("electricity-generation", "biomass", "生物质发电碳足迹因子", "Biomass power", ""),
    "全国-输配电（不含线损）": ("electricity-grid", "footprint-td", "输配电碳足迹因子（不含线损）",
                        "Transmission and distribution carbon footprint factor, excluding line losses",
                        "grid-footprint"),
    "全国-输配电（含线损）": ("electricity-grid", "footprint-td-with-losses", "输配电碳足迹因子（含线损）",
                       "Transmission and distribution carbon footprint factor, including line losses",
                       "grid-footprint"),
}  # fmt: skip

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_URL = re.compile(r"https?://\S+")


def _first_date(text: str) -> date | None:
    m = _DATE.search(text)
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def _publisher(text: str) -> str:
    """'生态环境部、国家统计局 (MEE & NBS), 2024-04-12' → the publisher without the date."""
    return re.sub(r",\s*\d{4}-\d{2}-\d{2}.*$", "", text).strip()


def _first_url(text: str) -> str | None:
    m = _URL.search(text)
    return m[0].rstrip(",;") if m else None


def _bad_row(file: str, row_id: str, detail: str, fix: str) -> FactorLibraryError:
    return FactorLibraryError(
        f"built-in table {file} has a row the engine cannot use", f"{row_id}: {detail}", fix
    )


def electricity_factors(rows: list[dict[str, str]]) -> Iterator[Factor]:
    """Rows of electricity_cn_provincial.csv → grid CO2, grid footprint, T&D and generation-type factors."""
    for row in rows:
        year, geo, label = int(row["year"]), row["region_code"], row["region_name_zh"]
        published = _first_date(row["publisher"])
        common = {
            "geography": geo,
            "year": year,
            "unit": "kWh",
            "version": LIBRARY_VERSION,
            "valid_from": published,
            "publisher": _publisher(row["publisher"]),
            "source_url": _first_url(row["source_url"]),
            "verified_in": row["verified_in"],
            "source": f"{row['source_title']} — {row['publisher']}",
        }
        if not row["source_url"].startswith("http"):
            url_note = f"; announcement page: {row['source_url']}"
        else:
            url_note = ""
        if row["kind"] == "co2-emission":
            key = _CO2_KEYS.get(label, "") if geo == "CN" else "co2"
            if not key:
                raise _bad_row("electricity_cn_provincial.csv", f"{year} {geo}", f"unknown national basis {label!r}",
                               "add the label to _CO2_KEYS")  # fmt: skip
            if geo == "CN":
                name_zh, name_en = _CO2_NAMES[key]
            else:
                zh, en = REGION_NAMES.get(geo, (label, geo))
                name_zh, name_en = (
                    f"电力平均二氧化碳排放因子（{zh}）",
                    f"Grid electricity CO2 emission factor, {en}",
                )
            yield Factor(
                id=f"electricity-grid/{key}/{geo}/{year}",
                kind="electricity-grid",
                key=key,
                emissions={flow_key("CO2", "fossil"): float(row["value"])},
                note=(
                    f"{row['value']} {row['unit']} as published ({label}); organisation accounting (purchased "
                    f"electricity): CO2 from generation only, not a life-cycle figure{url_note}"
                ),
                name_zh=name_zh,
                name_en=name_en,
                category="grid-co2",
                scope="CO2 from electricity generation (organisation accounting)",
                source_id="mee-nbs-grid-co2",
                **common,  # type: ignore[arg-type]
            )
        elif row["kind"] == "carbon-footprint":
            if geo != "CN" or label not in _FOOTPRINT_ROWS:
                raise _bad_row("electricity_cn_provincial.csv", f"{year} {geo}", f"unknown footprint row {label!r}",
                               "add the label to _FOOTPRINT_ROWS")  # fmt: skip
            kind, key, name_zh, name_en, category = _FOOTPRINT_ROWS[label]
            if kind == "electricity-generation":
                name_zh, name_en = f"{name_zh}（全国）", f"{name_en}, carbon footprint factor, China"
            yield Factor(
                id=f"{kind}/{key}/CN/{year}",
                kind=kind,  # type: ignore[arg-type]
                key=key,
                emissions={flow_key("CO2e", "fossil"): float(row["value"])},
                note=(
                    f"{row['value']} {row['unit']} as published ({label}); life-cycle carbon footprint for product "
                    f"accounting (GB/T 24067); MEE publishes national values only{url_note}"
                ),
                name_zh=name_zh,
                name_en=name_en,
                category=category or "generation-footprint",
                scope="life-cycle carbon footprint (product accounting)",
                source_id="mee-electricity-footprint",
                **common,  # type: ignore[arg-type]
            )
        else:
            raise _bad_row("electricity_cn_provincial.csv", f"{year} {geo}", f"unknown kind {row['kind']!r}",
                           "use co2-emission or carbon-footprint")  # fmt: skip


# -- materials ---------------------------------------------------------------------------------------------

#: Search category of every key of materials_cn.csv's ``material/…`` rows (other prefixes: see _PREFIX_KIND).
MATERIAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "metal": (
        "primary-aluminium-electrolytic", "primary-aluminium", "hydropower-aluminium-ingot", "secondary-aluminium",
        "alumina", "alumina-bayer", "carbon-anode", "aluminium-and-alloys", "aluminium-profile-building",
        "aluminium-cans-and-foil", "bauxite", "primary-aluminium-scope12", "primary-aluminium-scope12-upstream3",
        "steel-average", "carbon-steel-market-average", "steel-bf-bof-carbon", "steel-eaf-carbon",
        "pig-iron-steelmaking", "pig-iron-foundry", "hot-rolled-wide-strip", "hot-rolled-plate", "rebar",
        "wire-rod", "h-section", "steel-bar", "cold-rolled-steel", "hot-dip-galvanised-cold-rolled",
        "continuous-hot-dip-galvanised", "hot-dip-galvanised-strip", "stainless-austenitic-cold-rolled",
        "seamless-steel-pipe-hot-rolled", "steel-rail", "cast-iron", "cold-rolled-coil", "crude-steel",
        "manganese-ferroalloy-average", "copper-and-alloys", "copper-metal", "cathode-copper-jinfeng",
        "secondary-copper", "zinc-hydrometallurgy", "lead", "nickel-metal", "refined-tin", "magnesium-pidgeon",
        "metallurgical-silicon",
    ),
    "non-metallic-mineral": (
        "metallurgical-lime", "lime", "limestone", "flat-glass", "float-glass", "tempered-glass",
        "auto-tempered-glass-bt-5mm", "glass-fibre", "display-glass-substrate", "sanitary-ceramics", "graphite",
        "synthetic-graphite",
    ),
    "building-material": (
        "clinker-portland-gate", "clinker-portland", "clinker-portland-high", "cement-po-42-5", "cement-pc-42-5",
        "masonry-cement-32-5", "concrete-c40", "dry-mix-mortar-special", "cementitious-gross", "cementitious-net",
    ),
    "chemical": (
        "zinc-oxide", "nickel-sulphate", "ammonia-coal", "ammonia-natural-gas", "ammonia-coke-oven-gas", "urea",
        "methanol-coal", "caustic-soda", "soda-ash", "soda-ash-gate", "nitric-acid", "calcium-carbide",
        "ethylene-naphtha", "ethylene-coal-mto", "acrylonitrile", "ethylene-oxide", "titanium-dioxide",
        "difluoromethane-r32", "hydrogen-grey", "hydrogen-grey-coal", "hydrogen-blue-natural-gas", "hydrogen-green",
        "nitrogen-gas", "lithium-carbonate-brine-low", "lithium-carbonate-brine-high",
        "lithium-carbonate-spodumene-low", "lithium-carbonate-spodumene-high",
    ),
    "plastic": (
        "polypropylene", "polypropylene-coal-mto", "polypropylene-integrated-refinery", "ldpe", "hdpe",
        "pvc-ethylene", "pvc-carbide", "pet", "polystyrene", "polycarbonate", "abs", "plastic-film",
    ),
    "rubber": ("synthetic-rubber", "rubber", "tyre"),
    "textile": (
        "pa66-industrial-fibre", "pet-filament-virgin", "pet-filament-recycled", "cotton-yarn",
        "recycled-cotton-yarn", "polyester-dyed-pile", "recycled-polyester-staple", "polyester-grey-fabric",
    ),
    "paper": (
        "containerboard-linerboard", "corrugating-medium", "corrugated-paper", "paperboard", "paper", "offset-paper",
    ),
    "agriculture": ("cotton-raw",),
    "energy": ("coke-wsa",),
    "photovoltaic": (
        "granular-polysilicon", "mono-si-wafer-182", "mono-si-cell-182", "perc-solar-cell", "pv-module-topcon",
        "pv-module-hjt", "pv-module-perovskite", "pv-module-mono-double-glass", "pv-module-mono-single-glass",
    ),
    "battery": (
        "lfp-cathode", "nmc-cathode", "lmo-cathode", "battery-pack-lfp", "battery-pack-nmc", "graphite-anode-li-ion",
        "lithium-battery-generic", "lfp-battery", "nmc-battery",
    ),
}  # fmt: skip
_CATEGORY_OF = {key: cat for cat, keys in MATERIAL_CATEGORIES.items() for key in keys}

#: id prefix → (factor kind, category). Packaging is kind "material": packaging inputs look factors up as
#: materials by key. Utilities: purchased heat is kind "heat", water a material.
_PREFIX_KIND = {
    "packaging": ("material", "packaging"),
    "fuel": ("fuel", "fuel"),
    "transport": ("transport", "transport"),
    "waste": ("waste", "waste"),
}

#: the denominator of a published unit → the factor unit (pint name), with a note where it is not the same word
_UNITS: dict[str, tuple[str, str]] = {
    "t": ("t", ""), "kg": ("kg", ""), "t·km": ("tkm", ""), "GJ": ("GJ", ""), "m3": ("m3", ""),
    "m2": ("m^2", ""), "m": ("m", ""), "piece": ("piece", ""), "kW": ("kW", "per kW of rated power"),
    "MW": ("MW", "per MW of rated power"), "kWh": ("kWh", "per kWh of battery capacity"),
    "roll": ("piece", "per roll, counted as one piece"),
}  # fmt: skip
_GASES = {"kgCO2e": "CO2e", "kgCO2": "CO2"}

_CPCD_CODE = re.compile(r"CPCD (\S+) entry ([0-9A-Z]{14})")


def _kind_and_category(factor_id: str, key: str) -> tuple[str, str]:
    prefix = factor_id.split("/", 1)[0]
    if prefix == "material":
        if key not in _CATEGORY_OF:
            raise _bad_row("materials_cn.csv", factor_id, f"no category for key {key!r}",
                           "add the key to MATERIAL_CATEGORIES")  # fmt: skip
        return "material", _CATEGORY_OF[key]
    if prefix == "utility":
        return ("heat", "heat") if key.startswith("heat-") else ("material", "water")
    if prefix in _PREFIX_KIND:
        return _PREFIX_KIND[prefix]
    raise _bad_row(
        "materials_cn.csv", factor_id, f"unknown id prefix {prefix!r}", "use material/, packaging/, …"
    )


def _geography(text: str) -> str:
    """'GLOBAL (GNR participants)' → 'GLO'; 'CL (Salar de Atacama)' → 'CL'."""
    code = text.split(" (", 1)[0].strip()
    return "GLO" if code == "GLOBAL" else code


def material_factors(rows: list[dict[str, str]]) -> Iterator[Factor]:
    """Rows of materials_cn.csv → factors per t, kg, tkm, GJ, m3, … (CPCD and international sources)."""
    for row in rows:
        fid = row["id"]
        key = fid.split("/")[1]
        kind, category = _kind_and_category(fid, key)
        gas_unit, _, per = row["unit"].partition("/")
        if gas_unit not in _GASES or per not in _UNITS:
            raise _bad_row("materials_cn.csv", fid, f"unit {row['unit']!r} is not one the engine can use",
                           f"use kgCO2e or kgCO2 per one of {sorted(_UNITS)}, or add the unit to _UNITS")  # fmt: skip
        unit, unit_note = _UNITS[per]
        code = _CPCD_CODE.search(row["notes"])
        geo_text = row["geography"]
        notes = [f"{row['value']} {row['unit']} as in materials_cn.csv", row["notes"]]
        if unit_note:
            notes.append(unit_note)
        if _geography(geo_text) != geo_text:
            notes.append(f"geography as published: {geo_text}")
        if code is not None:
            source = (
                f"CPCD 中国产品全生命周期温室气体排放系数库, entry {code[2]} ({code[1]}); public transcription of the "
                f"login-only CPCD site {CPCD_URL} (scraped snapshot in {row['verified_in'].split(':')[0]})"
            )
            source_id = "cpcd"
        else:
            source = f"{row['source_title']} — {row['publisher']}"
            source_id = "international-industry" if _is_industry(row["publisher"]) else "published-literature"
        yield Factor(
            id=fid,
            kind=kind,  # type: ignore[arg-type]
            key=key,
            geography=_geography(geo_text),
            year=int(row["year"]) if row["year"].isdigit() else None,
            unit=unit,
            emissions={flow_key(_GASES[gas_unit], "fossil"): float(row["value"])},
            source=source,
            note="; ".join(n for n in notes if n),
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            category=category,
            scope=row["scope"],
            version=LIBRARY_VERSION,
            valid_from=_first_date(row["publisher"]) if code is None else None,
            source_id=source_id,
            publisher=_publisher(row["publisher"]),
            source_url=_first_url(row["source_url"]),
            verified_in=row["verified_in"],
            cpcd_code=code[2] if code is not None else None,
        )


def _is_industry(publisher: str) -> bool:
    return any(
        p in publisher for p in ("International Aluminium Institute", "worldsteel", "Cement Sustainability")
    )
