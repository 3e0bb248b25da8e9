"""GB/T 2589-2020 comprehensive energy consumption (kgce) per declared unit."""

from __future__ import annotations

from footprint_engine.activity import ActivityData
from footprint_engine.calculate.fuel_amount import KJ_PER_KGCE, fuel_energy_gj
from footprint_engine.calculate.result import EnergyReport
from footprint_engine.factors import FactorLibrary
from footprint_engine.units import conversion_factor

__all__ = ["FUEL_ENERGY_KEYS", "comprehensive_energy"]

#: Fuel keys of the activity schema (both naming schemes) → rows of energy_gbt2589.csv.
FUEL_ENERGY_KEYS = {
    "raw_coal": "raw_coal", "coke": "coke", "crude_oil": "crude_oil", "fuel_oil": "fuel_oil",
    "residual_fuel_oil": "fuel_oil", "gasoline": "gasoline", "motor_gasoline": "gasoline",
    "kerosene": "kerosene", "other_kerosene": "kerosene", "diesel": "diesel", "gas_diesel_oil": "diesel",
    "lpg": "lpg", "refinery_gas": "refinery_gas", "natural_gas": "natural_gas_gasfield",
}  # fmt: skip


def comprehensive_energy(
    activity: ActivityData, library: FactorLibrary, scale_allocated: float
) -> EnergyReport:
    """Fuels, electricity (equivalent value) and heat of the document, in kgce per declared unit.

    Fuels in mass or volume take the GB/T 2589 reference coefficient; fuels given as energy (measured
    calorific value) or in kgce/tce convert at the standard coal's 29307 kJ/kgce.

    ``scale_allocated`` = allocation share / produced quantity (in declared units).
    """
    breakdown: dict[str, float] = {}
    skipped: list[str] = []

    def add(label: str, key: str, amount: float, unit: str) -> None:
        coef = library.energy_coefficient(key)
        if coef is None:
            skipped.append(f"{label}: no GB/T 2589 coefficient for {key!r}")
            return
        try:
            qty = amount * conversion_factor(unit, coef.unit)
        except Exception:
            skipped.append(f"{label}: unit {unit!r} not convertible to {coef.unit!r}")
            return
        breakdown[label] = breakdown.get(label, 0.0) + qty * coef.kgce_per_unit * scale_allocated

    for i, fuel in enumerate(activity.inputs.fuels):
        gj = fuel_energy_gj(fuel.amount, fuel.unit)
        if gj is not None:  # GB/T 2589 §4: measured energy converts at 29307 kJ/kgce
            label = f"fuel:{fuel.fuel}"
            breakdown[label] = breakdown.get(label, 0.0) + gj * 1e6 / KJ_PER_KGCE * scale_allocated
            continue
        key = FUEL_ENERGY_KEYS.get(fuel.fuel)
        if key is None:
            skipped.append(f"inputs.fuels[{i}]: fuel {fuel.fuel!r} has no GB/T 2589 row")
            continue
        add(f"fuel:{fuel.fuel}", key, fuel.amount, fuel.unit)
    for elec in activity.inputs.electricity:
        add("electricity", "electricity_equivalent", elec.amount, elec.unit)
    for heat in activity.inputs.heat:
        add(f"heat:{heat.carrier}", "heat", heat.amount, heat.unit)
    return EnergyReport(
        kgce_per_declared_unit=sum(breakdown.values()), breakdown=breakdown, not_counted=skipped
    )
