"""Inventory lines of the life-cycle scenarios (use stage, end of life), per declared unit.

Use stage: each item's amount is per declared unit, over the reference service life (``service-life``)
or per year (``per-year``, multiplied by the service life in years). Electricity takes the grid factor of
``gridRegion`` (item, then scenario, then site) and the calculation year; fuels and direct emissions follow
the same rules as site inputs (fuels in energy units through the NCV).

End of life: the product mass per declared unit is split over the routes by share; each route takes the
waste-treatment factor of its treatment (or ``factorId``). Cut-off approach: recycling bears collection and
transport to the recycler, incineration with energy recovery bears the combustion; no credits are given for
recycled material or recovered energy (they leave the system burden-free).
"""

from __future__ import annotations

from footprint_engine.activity import ActivityData
from footprint_engine.calculate.line_builder import Line, LineBuilder
from footprint_engine.scenarios import (
    EndOfLifeRoute,
    UseElectricity,
    UseEmission,
    UseFuel,
    eol_product_mass_kg,
    scenario_items,
    service_life_years,
)

__all__ = ["CUT_OFF_RULE", "scenario_lines"]

CUT_OFF_RULE = (
    "cut-off approach (ISO 14067 §6.4.9.6 / GB/T 24067-2024): the product bears end-of-life treatment up to "
    "the point where material or energy leaves for another system; recycled material and recovered energy "
    "leave burden-free and earn no credit"
)


def scenario_lines(builder: LineBuilder, activity: ActivityData) -> list[Line]:
    use = activity.use_scenario
    years = service_life_years(use) if use is not None else 0.0
    eol = activity.end_of_life_scenario
    eol_mass = eol_product_mass_kg(eol, activity.declared_unit) if eol is not None else 0.0
    lines: list[Line] = []
    for path, item in scenario_items(use, eol):
        if isinstance(item, EndOfLifeRoute):
            line = _route(builder, path, item, eol_mass)
            line.scenario = "end-of-life"
        else:
            assert use is not None
            if isinstance(item, UseElectricity):
                line = _use_electricity(builder, path, item, use.grid_region)
            elif isinstance(item, UseFuel):
                line = builder.fuel_line(path, item)
            elif isinstance(item, UseEmission):
                line = builder.process_line(path, item)
            else:  # pragma: no cover
                raise TypeError(f"unexpected scenario item {type(item).__name__}")
            if item.basis == "per-year":
                line.amount *= years
                line.description += f" × {years:g} years"
            line.scenario = "use"
        line.allocated = False
        lines.append(line)
    return lines


def _use_electricity(builder: LineBuilder, path: str, item: UseElectricity, region: str | None) -> Line:
    where = item.grid_region or region or builder.geo
    m = builder.grid_match(path, item.factor_id, where)
    amount = builder.convert(item.amount, item.unit, m.factor.unit, path, f"factor {m.factor.id}")
    line = builder.new_line(
        path, item, "electricity", item.name or f"use-stage grid electricity {where}", amount, m.factor.unit,
        dict(m.factor.emissions), match=m,
    )  # fmt: skip
    line.location_flows = dict(m.factor.emissions)
    line.claim = "grid"
    line.gec_kind = "grid"
    line.consumed, line.consumed_unit = item.amount, item.unit
    return line


def _route(builder: LineBuilder, path: str, route: EndOfLifeRoute, mass_kg: float) -> Line:
    m = builder.match(path, route.factor_id, "waste", route.treatment)
    kg = mass_kg * route.share_percent / 100.0
    amount = builder.convert(kg, "kg", m.factor.unit, path, f"factor {m.factor.id}")
    line = builder.new_line(
        path, route, "end-of-life", route.name or f"{route.treatment} ({route.share_percent:g} %)", amount,
        m.factor.unit, dict(m.factor.emissions), match=m,
    )  # fmt: skip
    line.consumed, line.consumed_unit = kg, "kg"
    return line
