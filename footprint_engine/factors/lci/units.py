"""Brightway unit names → the engine's unit names."""

from __future__ import annotations

__all__ = ["UNITS"]

#: Brightway unit names (after bw2io's ``normalize_units``) → engine unit names (footprint_engine.units).
UNITS: dict[str, str] = {
    "kilogram": "kg",
    "gram": "g",
    "ton": "t",
    "kilowatt hour": "kWh",
    "megawatt hour": "MWh",
    "watt hour": "Wh",
    "kilojoule": "kJ",
    "megajoule": "MJ",
    "gigajoule": "GJ",
    "ton kilometer": "tkm",
    "kilogram kilometer": "kg*km",
    "cubic meter": "m3",
    "normal cubic meter": "Nm3",
    "litre": "L",
    "square meter": "m^2",
    "meter": "m",
    "kilometer": "km",
    "unit": "piece",
    "hour": "hour",
}
