"""The built-in factor set: data/*.csv turned into :class:`Factor` records, sources kept.

Conversions done here are recorded in each factor's ``note`` so the figure can be traced back to the row
it came from.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources

from footprint_engine.factors.model import EnergyCoefficient, Factor, flow_key

__all__ = ["CN_NCV_ROWS", "builtin_energy_coefficients", "builtin_factors", "read_long_format"]

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


def _electricity() -> Iterator[Factor]:
    rows = _rows("electricity_cn.csv")
    for row, source in zip(rows, _sources(rows), strict=True):
        kind = row["kind"]
        value = float(row["value"])
        year = int(row["data_year"])
        geo = row["geography"]
        if kind.startswith("footprint_"):
            key = kind.removeprefix("footprint_")
            if key == "grid_average":
                yield Factor(
                    id=f"electricity-grid/footprint/{geo}/{year}",
                    kind="electricity-grid",
                    key="footprint",
                    geography=geo,
                    year=year,
                    unit="kWh",
                    emissions={flow_key("CO2e", "fossil"): value},
                    source=source,
                    note=f"{row['scope']}; MEE electricity carbon-footprint factor, {row['unit']}",
                )
            else:
                yield Factor(
                    id=f"electricity-generation/{key}/{geo}/{year}",
                    kind="electricity-generation",
                    key=key,
                    geography=geo,
                    year=year,
                    unit="kWh",
                    emissions={flow_key("CO2e", "fossil"): value},
                    source=source,
                    note=f"{row['scope']}; {row['unit']}",
                )
        else:
            key = {
                "co2_grid_average": "co2",
                "co2_grid_excl_market_non_fossil": "co2-excl-market-non-fossil",
                "co2_fossil_only": "co2-fossil-only",
            }[kind]
            yield Factor(
                id=f"electricity-grid/{key}/{geo}/{year}",
                kind="electricity-grid",
                key=key,
                geography=geo,
                year=year,
                unit="kWh",
                emissions={flow_key("CO2", "fossil"): value},
                source=source,
                note=f"{row['scope']}; combustion CO2 only; {row['unit']}",
            )


#: cn-default fuel → row of energy_gbt2589.csv holding the NCV its factor was formed with. Natural gas: the
#: Chinese guide default 389.31 GJ/10^4 m3 is the figure GB/T 2589 lists for oil-field gas (38931 kJ/m3).
CN_NCV_ROWS = {
    "raw_coal": "raw_coal", "coke": "coke", "crude_oil": "crude_oil", "fuel_oil": "fuel_oil",
    "gasoline": "gasoline", "kerosene": "kerosene", "diesel": "diesel", "lpg": "lpg",
    "natural_gas": "natural_gas_oilfield",
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
        yield Factor(
            id=f"fuel/cn-default/{fuel}",
            kind="fuel",
            key=f"cn-default:{fuel}",
            geography="CN",
            year=None,
            unit=unit,
            emissions={flow_key("CO2", "fossil"): value},
            source=source,
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


def builtin_factors() -> list[Factor]:
    """Every built-in factor."""
    factors = [*_electricity(), *_fuels_cn(), *_fuels_ipcc()]
    for name, kind in (
        ("generation_types.csv", "electricity-generation"),
        ("transport.csv", "transport"),
        ("materials.csv", "material"),
        ("waste.csv", "waste"),
        ("heat.csv", "heat"),
    ):
        factors.extend(read_long_format(_rows(name), kind))
    return factors


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
