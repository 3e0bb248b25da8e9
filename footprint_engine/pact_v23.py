"""Mapping a :class:`FootprintResult` to a PACT Technical Specifications v2.3 ``pcf`` (CarbonFootprint).

Differences from v3.0 (see :mod:`footprint_engine.pact`), as published in ``spec/v2/openapi.yaml``:

* ``declaredUnit`` has no ``piece``: a product counted in pieces is declared per ``kilogram`` and
  ``unitaryProductAmount`` is the mass of one piece (product mass required); every figure is per ONE
  declared unit (1 kg, 1 kWh …): our figures per declared unit are divided by the number of PACT units in
  it (``t`` → kilogram, ÷ 1000, ``unitaryProductAmount`` 1000; ``MWh`` → kilowatt hour, ÷ 1000 …);
* ``pCfExcludingBiogenic`` excludes biogenic CO2 emissions and biogenic withdrawals;
  ``pCfIncludingBiogenic`` includes both (= our total over the cradle-to-gate stages);
  ``otherBiogenicGhgEmissions`` = biogenic non-CO2 (CH4, N2O …); ``biogenicCarbonWithdrawal`` = removals (≤ 0);
  ``dLucGhgEmissions`` = dLUC; ``fossilGhgEmissions`` = fossil + aircraft;
* numbers: emission figures are ``Decimal`` strings (6 significant digits); ``exemptedEmissionsPercent``
  and ``primaryDataShare`` are JSON numbers (percent; exemptions above 5 % are refused, PACT's ceiling);
* ``dqi`` needs ``coveragePercent`` and all five DQRs on PACT v2's 1–3 scale: our 1–5 pedigree scores map
  linearly, DQR = (score + 1) / 2 (1 → 1, 3 → 2, 5 → 3), rounded to 2 decimals (our convention; PACT gives
  no crosswalk);
* deprecated but still required v2 properties are filled: ``characterizationFactors`` (``AR6``/``AR5``) and
  ``crossSectoralStandardsUsed`` (``ISO Standard 14067``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from footprint_engine._pact_common import (
    PactMappingError,
    allocation_description,
    boundary_description,
    gate_figures,
    geography,
    pact_decimal,
    secondary_sources,
)
from footprint_engine.calculate.result import FootprintResult
from footprint_engine.units import conversion_factor

__all__ = ["MAX_EXEMPTED_PERCENT_V2", "dqr_v2", "to_pact_v23_pcf"]

#: PACT v2.x: at most 5 % of cradle-to-gate emissions may be exempted (``exemptedEmissionsPercent`` ≤ 5).
MAX_EXEMPTED_PERCENT_V2 = 5.0

_V2_UNITS = {  # our declared unit → (PACT v2 declaredUnit, unit to count PACT units in); None: by mass
    "kg": ("kilogram", "kg"), "g": ("kilogram", "kg"), "t": ("kilogram", "kg"), "tonne": ("kilogram", "kg"),
    "L": ("liter", "L"), "l": ("liter", "L"), "liter": ("liter", "L"), "m3": ("cubic meter", "m3"),
    "Nm3": ("cubic meter", "m3"), "kWh": ("kilowatt hour", "kWh"), "MWh": ("kilowatt hour", "kWh"),
    "MJ": ("megajoule", "MJ"), "GJ": ("megajoule", "MJ"), "tkm": ("ton kilometer", "tkm"),
    "m2": ("square meter", "m^2"), "m^2": ("square meter", "m^2"),
    "piece": ("kilogram", None), "pcs": ("kilogram", None), "item": ("kilogram", None),
}  # fmt: skip
_MASSLESS = {"kilowatt hour", "megajoule", "ton kilometer"}


def dqr_v2(score: float) -> float:
    """A 1–5 pedigree score on PACT v2's 1–3 DQR scale."""
    return round((min(max(score, 1.0), 5.0) + 1.0) / 2.0, 2)


def to_pact_v23_pcf(
    result: FootprintResult,
    *,
    product_mass_per_declared_unit_kg: float | None = None,
    fossil_carbon_content: float = 0.0,
    biogenic_carbon_content: float = 0.0,
) -> dict[str, Any]:
    """The PACT v2.3 ``pcf`` object for ``result`` (JSON-ready dict).

    ``product_mass_per_declared_unit_kg`` (kg per our declared unit) is required for pieces; carbon contents
    are kg C per our declared unit (converted like the emission figures).
    """
    # (1) declared unit and the number n of PACT units in one of ours
    unit = result.declared_unit
    if unit not in _V2_UNITS:
        raise PactMappingError(
            "declared unit not in PACT v2.3",
            f"{unit!r} has no PACT v2.3 declaredUnit",
            f"use one of {', '.join(sorted(_V2_UNITS))}",
            field="declaredUnit",
        )
    pact_unit, count_in = _V2_UNITS[unit]
    if count_in is None:
        if not product_mass_per_declared_unit_kg:
            raise PactMappingError(
                "product mass missing",
                f"PACT v2.3 has no 'piece': declared unit {unit!r} maps to kilogram and needs the mass of one",
                "pass product_mass_per_declared_unit_kg (> 0)",
                field="productMassPerDeclaredUnit",
            )
        n = product_mass_per_declared_unit_kg
    else:
        n = conversion_factor(unit, count_in)
    # (2) exemptions within PACT's ceiling
    exempted = float(result.cut_off.get("excludedSharePercent", 0.0))
    if exempted > MAX_EXEMPTED_PERCENT_V2:
        raise PactMappingError(
            "exempted emissions above the PACT v2 ceiling",
            f"cut-off excludes {exempted:g} %, PACT v2.3 allows at most {MAX_EXEMPTED_PERCENT_V2:g} %",
            "cover more of the inputs, or exchange the footprint as PACT v3",
            field="cutOff.excludedSharePercent",
        )
    g = gate_figures(result)
    per = 1.0 / n  # our figures are per declared unit = n PACT units

    def d(value: float) -> str:
        return pact_decimal(value * per)

    exclusions = result.cut_off.get("exclusions", [])
    q = result.dqi
    pcf: dict[str, Any] = {
        "declaredUnit": pact_unit,
        "unitaryProductAmount": pact_decimal(n),
        "pCfExcludingBiogenic": d(g.fossil + g.aircraft + g.dluc + g.biogenic_non_co2),
        "pCfIncludingBiogenic": d(g.total),
        "fossilGhgEmissions": d(g.fossil + g.aircraft),
        "fossilCarbonContent": d(fossil_carbon_content),
        "biogenicCarbonContent": d(biogenic_carbon_content),
        "dLucGhgEmissions": d(g.dluc),
        "otherBiogenicGhgEmissions": d(g.biogenic_non_co2),
        "biogenicCarbonWithdrawal": d(g.biogenic_removals),
        "aircraftGhgEmissions": d(g.aircraft),
        "characterizationFactors": str(result.method.get("gwp", "IPCC AR6")).split()[1],
        "ipccCharacterizationFactorsSources": [str(result.method.get("gwp", "IPCC AR6")).split()[1]],
        "crossSectoralStandardsUsed": ["ISO Standard 14067"],
        "crossSectoralStandards": ["ISO14067"],
        "boundaryProcessesDescription": boundary_description(result),
        "referencePeriodStart": f"{result.reporting_period_start.isoformat()}T00:00:00Z",
        "referencePeriodEnd": f"{(result.reporting_period_end + timedelta(days=1)).isoformat()}T00:00:00Z",
        "exemptedEmissionsPercent": round(exempted, 4),
        "exemptedEmissionsDescription": "; ".join(str(e.get("description", "")) for e in exclusions),
        "packagingEmissionsIncluded": bool(g.packaging),
        "allocationRulesDescription": allocation_description(result),
        "primaryDataShare": round(result.primary_data_share, 4),
        "dqi": {
            "coveragePercent": round(q.coverage_percent, 4),
            "technologicalDQR": dqr_v2(q.technological),
            "temporalDQR": dqr_v2(q.temporal),
            "geographicalDQR": dqr_v2(q.geographical),
            "completenessDQR": dqr_v2(q.completeness),
            "reliabilityDQR": dqr_v2(q.reliability),
        },
        **geography(result),
    }
    if pact_unit == "kilogram":
        pcf["productMassPerDeclaredUnit"] = "1"
    elif pact_unit in _MASSLESS:
        pcf["productMassPerDeclaredUnit"] = "0"
    elif product_mass_per_declared_unit_kg:
        pcf["productMassPerDeclaredUnit"] = d(product_mass_per_declared_unit_kg)
    if g.packaging:
        pcf["packagingGhgEmissions"] = d(g.packaging)
    if result.uncertainty is not None:
        u = result.uncertainty
        pcf["uncertaintyAssessmentDescription"] = (
            f"Monte Carlo, {u.iterations} iterations (seed {u.seed}): 95 % interval {d(u.p2_5)}…{d(u.p97_5)} "
            f"kgCO2e per {pact_unit} (whole study, all stages); key drivers: {', '.join(result.top_contributors)}"
        )
    sources = secondary_sources(result)
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    return pcf
