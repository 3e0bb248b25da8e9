"""Units: one pint registry for the engine, and checks that name the field at fault."""

from __future__ import annotations

from functools import lru_cache

import pint

from footprint_engine.errors import UnitError

__all__ = [
    "DIMENSIONS",
    "UNIT_NAMES",
    "UNIT_NAMES_OFFERED",
    "canonical_unit",
    "check_unit",
    "conversion_factor",
    "ureg",
]

ureg: pint.UnitRegistry = pint.UnitRegistry()
# Names used in Chinese and LCA practice that pint lacks.
ureg.define("m3 = meter ** 3")
ureg.define("Nm3 = meter ** 3 = normal_cubic_meter")  # gas volume at reference conditions
ureg.define("tkm = metric_ton * kilometer")
ureg.define("piece = [piece] = pcs = item")
ureg.define("kgce = [coal_equivalent]")  # GB/T 2589 kilogram of standard coal equivalent
ureg.define("tce = 1000 * kgce")

#: Named dimensions the schema checks against, each with an example unit (used in messages).
DIMENSIONS: dict[str, str] = {
    "mass": "kg",
    "energy": "kWh",
    "length": "km",
    "volume": "m3",
    "area": "m^2",
    "count": "piece",
    "mass*distance": "tkm",
    "coal-equivalent": "tce",
    "time": "year",
}


@lru_cache(maxsize=512)
def _parse(unit: str) -> pint.Unit:
    return ureg.Unit(unit)


@lru_cache(maxsize=512)
def _dimension_name(unit: pint.Unit) -> str | None:
    dims = unit.dimensionality
    for name, example in DIMENSIONS.items():
        if _parse(example).dimensionality == dims:
            return name
    return None


# (unit, allowed) -> the stripped unit, for units that passed: a document names the same few units many times
# and each check costs a pint lookup and a dimension comparison. Failures are not kept (their message
# names the field), and the size is bounded so that arbitrary unit strings cannot grow it without limit.
_ACCEPTED: dict[tuple[str, tuple[str, ...] | None], str] = {}
_ACCEPTED_MAX = 4096


def check_unit(unit: str, *, field: str, allowed: tuple[str, ...] | None = None) -> str:
    """Return ``unit`` unchanged when pint knows it and its dimension is one of ``allowed``.

    Raises :class:`UnitError` naming ``field`` otherwise.
    """
    if type(unit) is str:
        key = (unit, allowed)
        accepted = _ACCEPTED.get(key)
        if accepted is None:
            accepted = _check_unit(unit, field, allowed)
            if len(_ACCEPTED) < _ACCEPTED_MAX:
                _ACCEPTED[key] = accepted
        return accepted
    return _check_unit(unit, field, allowed)


def _check_unit(unit: str, field: str, allowed: tuple[str, ...] | None) -> str:
    if not isinstance(unit, str) or not unit.strip():
        raise UnitError(
            "unit missing", "an empty unit string", "give a unit such as 'kg' or 'kWh'", field=field
        )
    try:
        parsed = _parse(unit.strip())
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError, TypeError) as exc:
        raise UnitError(
            "unknown unit",
            f"{unit!r} is not a unit pint knows ({exc})",
            "use a unit such as kg, t, kWh, MWh, GJ, m3, km, tkm or piece",
            field=field,
        ) from None
    except Exception as exc:  # pint raises assorted parser errors on garbage
        raise UnitError(
            "unknown unit", f"{unit!r} cannot be parsed ({exc})", "use a plain unit name", field=field
        ) from None
    if allowed is not None:
        got = _dimension_name(parsed)
        if got not in allowed:
            raise UnitError(
                "unit has the wrong dimension",
                f"{unit!r} is {got or str(parsed.dimensionality)}, want {' or '.join(allowed)}",
                f"give a unit of {' or '.join(allowed)}, e.g. {DIMENSIONS[allowed[0]]}",
                field=field,
            )
    return unit.strip()


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier taking an amount in ``from_unit`` to ``to_unit``; raises ``pint.DimensionalityError``."""
    return float(ureg.Quantity(1.0, _parse(from_unit)).to(_parse(to_unit)).magnitude)


#: Unit names people write in Chinese spreadsheets and forms (and a few symbols pint does not read) -> (the unit
#: the engine takes, the power of ten an amount in that name is multiplied by). 万 (10^4) units are not units
#: pint or the schema know, so the amount is converted (12.5 万立方米 -> 125000 m3) rather than a unit invented.
#: One table for the portal's uploads and form and the node's factor-table import.
UNIT_NAMES: dict[str, tuple[str, int]] = {
    # mass
    "吨": ("t", 0),
    "万吨": ("t", 4),
    "千克": ("kg", 0),
    "公斤": ("kg", 0),
    "克": ("g", 0),
    # energy
    "千瓦时": ("kWh", 0),
    "度": ("kWh", 0),
    "万千瓦时": ("kWh", 4),
    "兆瓦时": ("MWh", 0),
    "吉瓦时": ("GWh", 0),
    "千焦": ("kJ", 0),
    "兆焦": ("MJ", 0),
    "吉焦": ("GJ", 0),
    "太焦": ("TJ", 0),
    # volume
    "立方米": ("m3", 0),
    "方": ("m3", 0),
    "m³": ("m3", 0),
    "万立方米": ("m3", 4),
    "标准立方米": ("Nm3", 0),
    "标立方米": ("Nm3", 0),
    "标方": ("Nm3", 0),
    "Nm³": ("Nm3", 0),
    "万标准立方米": ("Nm3", 4),
    "升": ("L", 0),
    "千升": ("kL", 0),
    # area, length, count, transport work, coal equivalent
    "平方米": ("m^2", 0),
    "m2": ("m^2", 0),
    "㎡": ("m^2", 0),
    "千米": ("km", 0),
    "公里": ("km", 0),
    "件": ("piece", 0),
    "个": ("piece", 0),
    "台": ("piece", 0),
    "吨公里": ("tkm", 0),
    "吨标准煤": ("tce", 0),
    "吨标煤": ("tce", 0),
    "千克标准煤": ("kgce", 0),
}

#: The Chinese names a spreadsheet or form offers in its unit list (each a key of UNIT_NAMES), most used first.
UNIT_NAMES_OFFERED: tuple[str, ...] = (
    "吨", "千克", "千瓦时", "兆瓦时", "立方米", "万立方米", "标准立方米", "吉焦", "兆焦",
    "件", "吨公里", "千米", "升", "吨标准煤",
)  # fmt: skip


def canonical_unit(name: str) -> tuple[str, int]:
    """(the unit the engine takes, power of ten to multiply the amount by) for a unit as a person wrote it:
    ``吨`` -> ("t", 0), ``万立方米`` -> ("m3", 4); a name not in :data:`UNIT_NAMES` comes back stripped, with 0
    (pint then judges it)."""
    text = name.strip()
    return UNIT_NAMES.get(text, (text, 0))
