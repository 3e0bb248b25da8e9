"""Mapping a :class:`FootprintResult` to a PACT ``pcf`` (CarbonFootprint): v3.0 here, v2.3 in
:mod:`footprint_engine.pact_v23` (re-exported).

Property names follow the released schemas: PACT Technical Specifications v3.0 (v3.0.0 of 2025-05-28, unchanged
in v3.0.3; github.com/wbcsd/data-exchange-protocol ``spec/v3/openapi.yaml``) and v2.3 (``spec/v2/openapi.yaml``);
tests validate both mappings against the released OpenAPI documents in ``tests/pact_spec/``. (Until 2026-12 this
module wrote a pre-release draft's names, ``pcfExcludingBiogenicCO2Withdrawal`` and friends; footprints published
then are re-rendered with these names when read.)

Units and rounding (v3):

* every figure is kgCO2e per declared unit, as a PACT ``Decimal`` string rounded to
  :data:`SIGNIFICANT_DIGITS` significant digits, never in exponent notation;
* a declared unit of ``t`` becomes ``kilogram`` × ``declaredUnitAmount`` 1000 (the values per declared unit
  stay the same; v3 figures refer to declaredUnitAmount declared units); other units map to PACT's
  enumeration or are refused;
* ``referencePeriodEnd`` is exclusive in PACT: the day after the reporting period's last day, 00:00Z;
* PACT footprints are cradle-to-gate: the figures cover the raw-material-acquisition and production stages;
  distribution goes to ``outboundLogisticsGhgEmissions`` (not in the totals); use and end-of-life stages of a
  cradle-to-grave result are left out and ``boundaryProcessesDescription`` says so;
* ``fossilGhgEmissions`` = fossil + aircraft (aircraft emissions are fossil; also given separately);
  ``landUseChangeGhgEmissions`` = dLUC; ``biogenicCO2Uptake`` = biogenic CO2 uptake in the product (≤ 0);
  ``biogenicNonCO2Emissions`` = biogenic CH4/N2O in CO2e; biogenic CO2 emissions count in both totals
  (v3 ``pcfExcludingBiogenicUptake`` excludes only the uptake);
* ``primaryDataShare`` in percent; ``dqi`` DQRs on the 1–5 pedigree scale, emission-weighted over the study.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from footprint_engine._pact_common import (
    SIGNIFICANT_DIGITS,
    PactMappingError,
    allocation_description,
    boundary_description,
    gate_figures,
    geography,
    pact_decimal,
    rules_comment,
    secondary_sources,
)
from footprint_engine.calculate.result import FootprintResult
from footprint_engine.pact_v23 import to_pact_v23_pcf
from footprint_engine.units import conversion_factor

__all__ = [
    "SIGNIFICANT_DIGITS",
    "PactMappingError",
    "pact_decimal",
    "rules_comment",
    "to_pact_v3_pcf",
    "to_pact_v23_pcf",
]

_UNITS = {  # our declared unit → (PACT declaredUnitOfMeasurement, declaredUnitAmount)
    "kg": ("kilogram", 1), "t": ("kilogram", 1000), "tonne": ("kilogram", 1000), "g": ("kilogram", 0.001),
    "L": ("liter", 1), "l": ("liter", 1), "liter": ("liter", 1), "m3": ("cubic meter", 1),
    "kWh": ("kilowatt hour", 1), "MWh": ("kilowatt hour", 1000), "MJ": ("megajoule", 1),
    "GJ": ("megajoule", 1000), "tkm": ("ton kilometer", 1), "m^2": ("square meter", 1),
    "m2": ("square meter", 1), "piece": ("piece", 1), "pcs": ("piece", 1), "item": ("piece", 1),
}  # fmt: skip
_MASSLESS = {"kilowatt hour", "megajoule", "ton kilometer"}


def to_pact_v3_pcf(
    result: FootprintResult,
    *,
    product_mass_per_declared_unit_kg: float | None = None,
    fossil_carbon_content: float = 0.0,
    biogenic_carbon_content: float | None = None,
) -> dict[str, Any]:
    """The PACT v3.0 ``pcf`` object for ``result`` (JSON-ready dict).

    ``product_mass_per_declared_unit_kg`` is required for count, volume and area units (PACT 3.2.4);
    carbon contents are kg C per declared unit as declared by the supplier (0 when not assessed).
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
    g = gate_figures(result)
    exclusions = result.cut_off.get("exclusions", [])
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": pact_unit,
        "declaredUnitAmount": pact_decimal(amount),
        "productMassPerDeclaredUnit": pact_decimal(mass),
        "referencePeriodStart": f"{result.reporting_period_start.isoformat()}T00:00:00Z",
        "referencePeriodEnd": f"{(result.reporting_period_end + timedelta(days=1)).isoformat()}T00:00:00Z",
        "pcfExcludingBiogenicUptake": pact_decimal(g.total_excluding_removals),
        "pcfIncludingBiogenicUptake": pact_decimal(g.total),
        "fossilGhgEmissions": pact_decimal(g.fossil + g.aircraft),
        "fossilCarbonContent": pact_decimal(fossil_carbon_content),
        "biogenicCarbonContent": pact_decimal(biogenic_carbon_content or 0.0),
        "landUseChangeGhgEmissions": pact_decimal(g.dluc),
        "biogenicCO2Uptake": pact_decimal(g.biogenic_removals),
        "biogenicNonCO2Emissions": pact_decimal(g.biogenic_non_co2),
        "aircraftGhgEmissions": pact_decimal(g.aircraft),
        "ipccCharacterizationFactors": [str(result.method.get("gwp", "IPCC AR6")).split()[1]],
        "crossSectoralStandards": ["ISO14067"],
        "boundaryProcessesDescription": boundary_description(result),
        "exemptedEmissionsPercent": pact_decimal(float(result.cut_off.get("excludedSharePercent", 0.0))),
        "exemptedEmissionsDescription": "; ".join(str(e.get("description", "")) for e in exclusions),
        "allocationRulesDescription": allocation_description(result),
        "primaryDataShare": pact_decimal(result.primary_data_share),
        "dqi": {k: pact_decimal(v) for k, v in result.dqi.pact_dqr.items()},
        **geography(result),
    }
    if g.packaging:
        pcf["packagingGhgEmissions"] = pact_decimal(g.packaging)
    if g.outbound_logistics:
        pcf["outboundLogisticsGhgEmissions"] = pact_decimal(g.outbound_logistics)
    sources = secondary_sources(result)
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    return pcf
