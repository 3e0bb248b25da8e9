"""Fuel amounts in the unit of their factor: mass and volume convert directly; energy goes through the NCV.

Rules, in order (each refusal names ``<path>.unit``):

  (1) a unit convertible to the factor's unit (t, kg, m3 …) converts directly (pint);
  (2) standard coal equivalent (kgce, tce) becomes energy at the GB/T 2589-2020 definition
      1 kgce = :data:`KJ_PER_KGCE` kJ;
  (3) an energy (GJ, MJ, TJ, kWh …) becomes the factor's unit by dividing by the factor's net calorific
      value (``ncv_gj_per_unit``: GB/T 2589-2020 for ``cn-default``, IPCC 2006 for ``ipcc-2006``);
  (4) anything else, or an energy for a factor without an NCV, is refused.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache

from footprint_engine.errors import UnitError
from footprint_engine.factors import Factor
from footprint_engine.units import conversion_factor, ureg

__all__ = ["KJ_PER_KGCE", "fuel_energy_gj", "fuel_in_factor_unit"]

#: GB/T 2589-2020 §3.6: 1 kg of standard coal equivalent has a low (net) calorific value of 29 307 kJ.
KJ_PER_KGCE = 29307.0


@lru_cache(maxsize=256)
def _energy_kind(unit: str) -> str | None:
    dims = ureg.Unit(unit).dimensionality
    if dims == ureg.Unit("GJ").dimensionality:
        return "energy"
    if dims == ureg.Unit("kgce").dimensionality:
        return "coal-equivalent"
    return None


def fuel_energy_gj(amount: float, unit: str) -> float | None:
    """GJ in ``amount unit`` when the unit is an energy or a coal equivalent; None for mass/volume."""
    kind = _energy_kind(unit)
    if kind == "energy":
        return amount * conversion_factor(unit, "GJ")
    if kind == "coal-equivalent":
        return amount * conversion_factor(unit, "kgce") * KJ_PER_KGCE / 1e6
    return None


def fuel_in_factor_unit(amount: float, unit: str, factor: Factor, path: str) -> tuple[float, str | None]:
    """(amount in ``factor.unit``, note of the NCV conversion or None) for one fuel amount."""
    # (1)
    with contextlib.suppress(Exception):  # pint raises DimensionalityError and friends
        return amount * conversion_factor(unit, factor.unit), None
    gj = fuel_energy_gj(amount, unit)
    if gj is None:  # (4)
        raise UnitError(
            "unit mismatch",
            f"fuel unit {unit!r} cannot be converted to {factor.unit!r}, the unit of factor {factor.id}",
            f"give the amount as a mass, volume or energy convertible to {factor.unit}",
            field=f"{path}.unit",
        )
    if fuel_energy_gj(1.0, factor.unit) is not None:  # a factor per energy: tce → its energy unit
        return gj * conversion_factor(
            "GJ", factor.unit
        ), f"{amount:.6g} {unit} = {gj:.6g} GJ (1 kgce = 29307 kJ)"
    if factor.ncv_gj_per_unit is None:  # (4)
        raise UnitError(
            "no net calorific value",
            f"fuel given in {unit!r} (energy) but factor {factor.id} (per {factor.unit}) has no net calorific "
            "value to convert it",
            f"give the amount in {factor.unit}, or use a factor with ncv_gj_per_unit",
            field=f"{path}.unit",
        )
    # (2)-(3)
    value = gj / factor.ncv_gj_per_unit
    coal = _energy_kind(unit) == "coal-equivalent"
    via = f" (= {gj:.6g} GJ at {KJ_PER_KGCE:g} kJ/kgce, GB/T 2589-2020)" if coal else ""
    note = (
        f"{amount:.6g} {unit}{via} ÷ NCV {factor.ncv_gj_per_unit:.6g} GJ/{factor.unit} = {value:.6g} "
        f"{factor.unit}; NCV: {factor.ncv_source or 'factor record'}"
    )
    return value, note
