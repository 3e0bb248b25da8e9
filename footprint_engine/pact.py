"""Mapping a :class:`FootprintResult` to a PACT Technical Specifications v3.0 ``pcf`` (CarbonFootprint).

Units and rounding:

* every figure is kgCO2e per declared unit, as a PACT ``Decimal`` string rounded to
  :data:`SIGNIFICANT_DIGITS` significant digits, never in exponent notation;
* a declared unit of ``t`` becomes ``kilogram`` × ``declaredUnitAmount`` 1000 (the values per declared unit
  stay the same); other units map to PACT's enumeration or are refused;
* ``referencePeriodEnd`` is exclusive in PACT: the day after the reporting period's last day, 00:00Z;
* ``fossilGhgEmissions`` = fossil + aircraft (aircraft emissions are fossil; also given separately);
  ``landUseChangeGhgEmissions`` = dLUC; ``biogenicCO2Uptake`` = biogenic removals (≤ 0);
  ``biogenicNonCO2Emissions`` = biogenic CH4/N2O in CO2e; biogenic CO2 emissions count in both totals;
* ``primaryDataShare`` in percent; ``dqi`` DQRs on the PACT v3 1–5 scale.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from footprint_engine.calculate.result import FootprintResult
from footprint_engine.errors import FootprintEngineError
from footprint_engine.units import conversion_factor

__all__ = ["SIGNIFICANT_DIGITS", "PactMappingError", "pact_decimal", "to_pact_v3_pcf"]

SIGNIFICANT_DIGITS = 6

_UNITS = {  # our declared unit → (PACT declaredUnitOfMeasurement, declaredUnitAmount)
    "kg": ("kilogram", 1), "t": ("kilogram", 1000), "tonne": ("kilogram", 1000), "g": ("kilogram", 0.001),
    "L": ("liter", 1), "l": ("liter", 1), "liter": ("liter", 1), "m3": ("cubic meter", 1),
    "kWh": ("kilowatt hour", 1), "MWh": ("kilowatt hour", 1000), "MJ": ("megajoule", 1),
    "GJ": ("megajoule", 1000), "tkm": ("ton kilometer", 1), "m^2": ("square meter", 1),
    "m2": ("square meter", 1), "piece": ("piece", 1), "pcs": ("piece", 1), "item": ("piece", 1),
}  # fmt: skip
_MASSLESS = {"kilowatt hour", "megajoule", "ton kilometer"}


class PactMappingError(FootprintEngineError):
    """The result cannot be expressed as a PACT v3 CarbonFootprint."""


def pact_decimal(value: float) -> str:
    """``value`` rounded to SIGNIFICANT_DIGITS significant digits as a plain decimal string."""
    if value == 0:
        return "0"
    d = Decimal(f"{value:.{SIGNIFICANT_DIGITS}g}")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def to_pact_v3_pcf(
    result: FootprintResult,
    *,
    product_mass_per_declared_unit_kg: float | None = None,
    fossil_carbon_content: float = 0.0,
    biogenic_carbon_content: float | None = None,
) -> dict[str, Any]:
    """The PACT v3 ``pcf`` object for ``result`` (JSON-ready dict).

    ``product_mass_per_declared_unit_kg`` is required for count, volume and area units (PACT 3.2.4);
    carbon contents are kg C per declared unit as declared by the supplier (0 when not applicable).
    """
    unit = result.declared_unit
    if unit not in _UNITS:
        raise PactMappingError(
            "declared unit not in PACT",
            f"{unit!r} has no PACT declaredUnitOfMeasurement",
            f"use one of {', '.join(sorted(_UNITS))}",
            field="declaredUnit",
        )
    pact_unit, amount = _UNITS[unit]
    if pact_unit == "kilogram":
        mass = conversion_factor(unit, "kg")
    elif pact_unit in _MASSLESS:
        mass = 0.0
    elif product_mass_per_declared_unit_kg is None:
        raise PactMappingError(
            "product mass missing",
            f"declared unit {unit!r} needs productMassPerDeclaredUnit",
            "pass product_mass_per_declared_unit_kg",
            field="productMassPerDeclaredUnit",
        )
    else:
        mass = product_mass_per_declared_unit_kg
    e = result.emissions
    biogenic_non_co2 = sum(g.kg_co2e for g in result.per_gas if g.origin == "biogenic" and g.gas != "CO2")
    secondary = sorted(
        {(f.source.split(";")[0].split(" (")[0].strip()[:200], str(f.year or "n/a")) for f in result.factors}
    )
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": pact_unit,
        "declaredUnitAmount": pact_decimal(amount),
        "productMassPerDeclaredUnit": pact_decimal(mass),
        "referencePeriodStart": f"{result.reporting_period_start.isoformat()}T00:00:00Z",
        "referencePeriodEnd": f"{(result.reporting_period_end + timedelta(days=1)).isoformat()}T00:00:00Z",
        "boundaryProcessesDescription": _boundary(result),
        "pcfExcludingBiogenicUptake": pact_decimal(e.total_excluding_biogenic_removals),
        "pcfIncludingBiogenicUptake": pact_decimal(e.total),
        "fossilGhgEmissions": pact_decimal(e.fossil + e.aircraft),
        "fossilCarbonContent": pact_decimal(fossil_carbon_content),
        "landUseChangeGhgEmissions": pact_decimal(e.dluc),
        "biogenicCO2Uptake": pact_decimal(e.biogenic_removals),
        "biogenicNonCO2Emissions": pact_decimal(biogenic_non_co2),
        "aircraftGhgEmissions": pact_decimal(e.aircraft),
        "packagingEmissionsIncluded": any(c.kind == "packaging" for c in result.per_input),
        "ipccCharacterizationFactors": [str(result.method.get("gwp", "IPCC AR6")).split()[1]],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": pact_decimal(float(result.cut_off.get("excludedSharePercent", 0.0))),
        "allocationRulesDescription": _allocation(result),
        "primaryDataShare": pact_decimal(result.primary_data_share),
        "dqi": {k: pact_decimal(v) for k, v in result.dqi.pact_dqr.items()},
    }
    if biogenic_carbon_content is not None:
        pcf["biogenicCarbonContent"] = pact_decimal(biogenic_carbon_content)
    geo = result.geography
    if len(geo) == 2 and geo.isalpha() and geo.isupper():
        pcf["geographyCountry"] = geo
    elif geo[:3] == "CN-" and 1 <= len(geo) - 3 <= 3 and geo[3:].isalnum() and geo[3:].isupper():
        pcf["geographyCountrySubdivision"] = geo
    elif geo.startswith("CN"):
        pcf["geographyCountry"] = "CN"
    if secondary:
        pcf["secondaryEmissionFactorSources"] = [{"name": n, "version": v} for n, v in secondary]
    return pcf


def _boundary(result: FootprintResult) -> str:
    stages = ", ".join(result.stages_included)
    return (
        f"{result.system_boundary} per GB/T 24067-2024 (ISO 14067); stages: {stages}; "
        f"top contributors: {', '.join(result.top_contributors)}"
    )


def _allocation(result: FootprintResult) -> str:
    a = result.allocation
    if a.get("basis") in (None, "none"):
        return "no co-products; no allocation"
    return (
        f"{a['basis']} allocation, product share {a['productSharePercent']:.4g} % applied to "
        f"{', '.join(a['appliedToStages'])} stages ({a.get('justification') or a['rule']})"
    )
