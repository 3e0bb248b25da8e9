"""GWP100 characterisation factors (IPCC AR6 default, AR5 selectable) from data/gwp100.csv."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Literal

from footprint_engine.errors import FactorLibraryError

__all__ = ["GwpSet", "characterisation", "gwp_table"]

GwpSet = Literal["AR6", "AR5"]


@cache
def gwp_table(gwp_set: GwpSet) -> dict[str, float]:
    """Gas (as in gwp100.csv: CO2, CH4, CH4_fossil, CH4_non_fossil, N2O, …) → GWP100."""
    col = {"AR6": "ar6", "AR5": "ar5"}.get(gwp_set)
    if col is None:
        raise FactorLibraryError("unknown GWP set", f"{gwp_set!r}", "use 'AR6' or 'AR5'", field="gwpSet")
    text = resources.files("footprint_engine.data").joinpath("gwp100.csv").read_text(encoding="utf-8")
    return {row["gas"]: float(row[col]) for row in csv.DictReader(text.splitlines())}


def characterisation(flow: str, gwp_set: GwpSet) -> float:
    """kgCO2e per kg of the flow ``GAS/origin``.

    CH4 uses the fossil or non-fossil GWP by origin (AR6 Table 7.15); removals count negative;
    ``CO2e`` flows are already characterised (1).
    """
    gas, _, origin = flow.partition("/")
    table = gwp_table(gwp_set)
    if gas == "CO2e":
        value = 1.0
    elif gas == "CH4":
        value = table["CH4_fossil" if origin in ("fossil", "aircraft") else "CH4_non_fossil"]
    elif gas in table:
        value = table[gas]
    else:
        raise FactorLibraryError(
            "no GWP for gas",
            f"{gas!r} is not in gwp100.csv",
            "use a gas listed in data/gwp100.csv",
            field=flow,
        )
    return -value if origin == "biogenic-removal" else value
