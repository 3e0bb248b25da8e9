"""From an activity-data document to inventory lines: one line per input (electricity: per claim slice), and
per item of the life-cycle scenarios.

A line is an amount per declared unit of the product (after allocation), in the unit of the factor or
upstream footprint it uses, and the kg of each flow per unit of that line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from footprint_engine.activity import ActivityData
from footprint_engine.allocation import main_product_share
from footprint_engine.calculate.line_builder import Line, LineBuilder
from footprint_engine.calculate.options import CalculationOptions
from footprint_engine.calculate.scenario_lines import scenario_lines
from footprint_engine.calculate.upstream import UpstreamFootprint
from footprint_engine.factors import FactorLibrary
from footprint_engine.units import conversion_factor

__all__ = ["ALLOCATED_STAGES", "Inventory", "build_inventory"]

#: Stages belonging to the multi-output process and therefore shared with co-products.
ALLOCATED_STAGES = frozenset({"raw-material-acquisition", "production"})


@dataclass(slots=True)
class Inventory:
    activity: ActivityData
    lines: list[Line]
    allocation_share: float  # fraction for the product
    produced: float  # produced quantity in declared units
    year: int
    notes: list[str] = field(default_factory=list)
    deviations: list[dict[str, str]] = field(default_factory=list)  # from the account rule, as data


def build_inventory(
    activity: ActivityData,
    library: FactorLibrary,
    upstream: dict[str, UpstreamFootprint] | None = None,
    options: CalculationOptions | None = None,
) -> Inventory:
    """Resolve every input to a factor (or upstream footprint) and scale it to one declared unit."""
    options = options or CalculationOptions()
    upstream = upstream or {}
    year = options.factor_year or activity.reporting_period.end.year
    share = main_product_share(
        product=activity.product_identifier,
        produced=activity.produced_quantity,
        declared_unit=activity.declared_unit,
        co_products=activity.co_products,
        allocation=activity.allocation,
    )
    produced = activity.produced_quantity.amount * conversion_factor(
        activity.produced_quantity.unit, activity.declared_unit
    )
    inv = Inventory(activity=activity, lines=[], allocation_share=share, produced=produced, year=year)
    builder = LineBuilder(activity, library, upstream, options, year)
    for path, item in activity.all_inputs():
        allocated = item.stage in ALLOCATED_STAGES
        scale = (share if allocated else 1.0) / produced
        for line in builder.lines_for(path, item):
            line.allocated = allocated
            line.amount *= scale
            inv.lines.append(line)
    if activity.use_scenario is not None or activity.end_of_life_scenario is not None:
        inv.lines.extend(scenario_lines(builder, activity))  # already per declared unit, not allocated
    inv.deviations = builder.deviations
    return inv
