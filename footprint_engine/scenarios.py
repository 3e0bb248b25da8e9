"""Life-cycle scenarios beyond the gate (GB/T 24067-2024 / ISO 14067:2018 §6.3.4–6.3.8): optional parts of
the activity-data document (schema 1.0, all new fields optional).

* ``functionalUnit``: what one functional unit is, and how many declared units fulfil it (reference flow);
* ``useScenario``: energy and direct emissions of the use stage per declared unit, per year of the
  reference service life or over the whole service life;
* ``endOfLifeScenario``: treatment routes with shares of the product mass (landfill, incineration with or
  without energy recovery, recycling, composting), each taking a waste-treatment factor from the library.
  The cut-off approach applies: the product bears the treatment up to the point where material or energy
  leaves for another system; recycled material and recovered energy leave burden-free and earn no credit.

The system boundary is cradle-to-grave when both scenarios are given (and then ``functionalUnit`` is
required); cradle-to-gate otherwise. Rules, checked by :func:`check_scenarios`, each naming the field:

  (1) ``useScenario`` and ``endOfLifeScenario`` come together, with ``functionalUnit``;
  (2) ``functionalUnit.referenceFlow`` converts to the declared unit and is > 0;
  (3) ``useScenario.referenceServiceLife`` is a time > 0;
  (4) end-of-life route shares are 0…100 and sum to 100 % (± :data:`ROUTE_SHARE_TOLERANCE_PERCENT`);
  (5) ``endOfLifeScenario.productMass`` is given unless the declared unit is a mass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field

from footprint_engine.activity_base import (
    BaseInput,
    Cid,
    DataQuality,
    DataSource,
    DocumentModel,
    Gas,
    InputId,
    Origin,
    Quantity,
    Uncertainty,
)
from footprint_engine.activity_inputs import FUEL_UNIT_DIMENSIONS
from footprint_engine.errors import ActivityDataError, UnitError
from footprint_engine.units import check_unit, conversion_factor

__all__ = [
    "EOL_TREATMENTS",
    "ROUTE_SHARE_TOLERANCE_PERCENT",
    "EndOfLifeRoute",
    "EndOfLifeScenario",
    "FunctionalUnit",
    "UseElectricity",
    "UseEmission",
    "UseFuel",
    "UseScenario",
    "check_scenarios",
    "eol_product_mass_kg",
    "scenario_items",
    "service_life_years",
]

#: End-of-life route shares must sum to 100 % within this many percentage points.
ROUTE_SHARE_TOLERANCE_PERCENT = 0.01
EOL_TREATMENTS = ("landfill", "incineration", "incineration-energy-recovery", "recycling", "composting")

Basis = Literal["service-life", "per-year"]
_BASIS_DOC = "'service-life': amount over the whole reference service life; 'per-year': amount per year."


class FunctionalUnit(DocumentModel):
    """ISO 14067 §3.1.3.5 / §6.3.3: the quantified performance of the product system."""

    description: str = Field(min_length=1, description="e.g. 'cooling a 1.5 kW room for 10 years'.")
    reference_flow: Quantity = Field(
        description="Declared units needed to fulfil one functional unit (unit convertible to declaredUnit)."
    )


class UseElectricity(BaseInput):
    """Electricity the product consumes in use, per declared unit, at the grid factor where it is used."""

    stage: Literal["use"] = "use"
    basis: Basis = Field(default="service-life", description=_BASIS_DOC)
    grid_region: str | None = Field(
        default=None,
        description="Grid where the product is used; default useScenario.gridRegion, then the site's.",
    )
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = ("energy",)


class UseFuel(BaseInput):
    """Fuel the product burns in use, per declared unit (units as for inputs.fuels)."""

    stage: Literal["use"] = "use"
    basis: Basis = Field(default="service-life", description=_BASIS_DOC)
    fuel: str = Field(min_length=1)
    method: Literal["cn-default", "ipcc-2006"] = "cn-default"
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = FUEL_UNIT_DIMENSIONS


class UseEmission(BaseInput):
    """A direct emission in use per declared unit, e.g. refrigerant leakage (HFC-32) or urea-based CO2."""

    stage: Literal["use"] = "use"
    basis: Basis = Field(default="service-life", description=_BASIS_DOC)
    gas: Gas
    origin: Origin = "fossil"
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = ("mass",)


class UseScenario(DocumentModel):
    """The use stage of one declared unit over its reference service life (GB/T 24067 §6.3.8)."""

    description: str = Field(min_length=1)
    reference_service_life: Quantity = Field(description="Reference service life, a time (year, h).")
    grid_region: str | None = Field(
        default=None, description="Where the product is used; default the site's."
    )
    electricity: list[UseElectricity] = Field(default_factory=list)
    fuels: list[UseFuel] = Field(default_factory=list)
    emissions: list[UseEmission] = Field(default_factory=list)


class EndOfLifeRoute(DocumentModel):
    """One treatment route for a share of the product mass reaching end of life."""

    id: InputId
    name: str | None = None
    treatment: Literal["landfill", "incineration", "incineration-energy-recovery", "recycling", "composting"]
    share_percent: float = Field(ge=0, le=100, description="Percent of the end-of-life mass on this route.")
    waste_type: str = "general"
    stage: Literal["end-of-life"] = "end-of-life"
    data_source: DataSource = "secondary"
    data_quality: DataQuality = Field(default_factory=DataQuality)
    uncertainty: Uncertainty | None = None
    evidence: list[Cid] = Field(default_factory=list)
    factor_id: str | None = Field(default=None, description="Explicit waste factor id; default by treatment.")


class EndOfLifeScenario(DocumentModel):
    """End of life of one declared unit under the cut-off approach (GB/T 24067 §6.3.8, ISO 14067 §6.4.9.6)."""

    description: str = Field(min_length=1)
    product_mass: Quantity | None = Field(
        default=None,
        description="Mass reaching end of life per declared unit; default the declared unit's mass.",
    )
    routes: list[EndOfLifeRoute] = Field(min_length=1)


def scenario_items(use: UseScenario | None, eol: EndOfLifeScenario | None) -> Iterator[tuple[str, Any]]:
    """Every use-stage item and end-of-life route of the document's ``useScenario`` and ``endOfLifeScenario``
    with its JSON path, in document order."""
    if use is not None:
        for name, items in (
            ("electricity", use.electricity),
            ("fuels", use.fuels),
            ("emissions", use.emissions),
        ):
            for i, item in enumerate(items):
                yield f"useScenario.{name}[{i}]", item
    if eol is not None:
        for i, route in enumerate(eol.routes):
            yield f"endOfLifeScenario.routes[{i}]", route


def service_life_years(use: UseScenario) -> float:
    return use.reference_service_life.amount * conversion_factor(use.reference_service_life.unit, "year")


def eol_product_mass_kg(eol: EndOfLifeScenario, declared_unit: str) -> float:
    """kg of product reaching end of life per declared unit."""
    if eol.product_mass is not None:
        return eol.product_mass.amount * conversion_factor(eol.product_mass.unit, "kg")
    return conversion_factor(declared_unit, "kg")


def check_scenarios(
    *,
    use: UseScenario | None,
    eol: EndOfLifeScenario | None,
    functional_unit: FunctionalUnit | None,
    declared_unit: str,
) -> None:
    """Rules (1)–(5) of the module docstring for the document's ``useScenario``, ``endOfLifeScenario``,
    ``functionalUnit`` and ``declaredUnit``; raises :class:`ActivityDataError` naming the field."""
    fu = functional_unit
    # (1)
    if (use is None) != (eol is None):
        missing = "endOfLifeScenario" if eol is None else "useScenario"
        raise ActivityDataError(
            "life-cycle scenario missing",
            f"{missing} is absent but the other scenario is given; a cradle-to-grave footprint needs both",
            f"add {missing}, or drop the other for a cradle-to-gate footprint",
            field=missing,
        )
    if use is not None and fu is None:
        raise ActivityDataError(
            "functional unit missing",
            "a cradle-to-grave footprint is stated per functional unit (ISO 14067 §6.3.3)",
            "add functionalUnit {description, referenceFlow}",
            field="functionalUnit",
        )
    # (2)
    if fu is not None:
        _check_quantity(fu.reference_flow, declared_unit, "functionalUnit.referenceFlow", "declaredUnit")
    # (3)
    if use is not None:
        _check_quantity(use.reference_service_life, "year", "useScenario.referenceServiceLife", "a time")
    if eol is not None:
        # (4)
        total = sum(r.share_percent for r in eol.routes)
        if abs(total - 100.0) > ROUTE_SHARE_TOLERANCE_PERCENT:
            raise ActivityDataError(
                "end-of-life shares do not sum to 100 %",
                f"routes sum to {total:g} %, want 100 % (tolerance {ROUTE_SHARE_TOLERANCE_PERCENT} points)",
                "give every route its share of the product mass so that they sum to 100",
                field="endOfLifeScenario.routes",
            )
        # (5)
        if eol.product_mass is not None:
            check_unit(eol.product_mass.unit, field="endOfLifeScenario.productMass.unit", allowed=("mass",))
        else:
            try:
                conversion_factor(declared_unit, "kg")
            except Exception:
                raise ActivityDataError(
                    "end-of-life product mass missing",
                    f"declared unit {declared_unit!r} is not a mass",
                    "give endOfLifeScenario.productMass (kg of product per declared unit)",
                    field="endOfLifeScenario.productMass",
                ) from None


def _check_quantity(q: Quantity, want: str, field: str, what: str) -> None:
    check_unit(q.unit, field=f"{field}.unit")
    try:
        conversion_factor(q.unit, want)
    except Exception:
        raise UnitError(
            "unit has the wrong dimension",
            f"{field}.unit {q.unit!r} cannot be converted to {what} ({want!r})",
            f"express {field} in a unit convertible to {want}",
            field=f"{field}.unit",
        ) from None
    if q.amount <= 0:
        raise ActivityDataError(
            "quantity is zero",
            f"{field}.amount must be > 0",
            "give a positive amount",
            field=f"{field}.amount",
        )
