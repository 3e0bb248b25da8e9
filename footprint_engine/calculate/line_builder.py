"""Inventory lines of a document's inputs: one line per input (electricity: per claim slice), in the unit of
the factor or upstream footprint it uses, with the kg of each flow per unit of that line.

:class:`LineBuilder` resolves the factors and converts the amounts; :mod:`footprint_engine.calculate.lines`
scales them to one declared unit and :mod:`footprint_engine.calculate.scenario_lines` adds the life-cycle
scenarios with the same building blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from footprint_engine.activity import (
    ActivityData,
    DataQuality,
    ElectricityInput,
    FuelInput,
    HeatInput,
    MaterialInput,
    PackagingInput,
    ProcessEmission,
    TransportLeg,
    Uncertainty,
    WasteInput,
)
from footprint_engine.calculate.fuel_amount import fuel_in_factor_unit
from footprint_engine.calculate.options import CalculationOptions
from footprint_engine.calculate.upstream import UpstreamFootprint
from footprint_engine.errors import FactorNotFoundError, UnitError, UpstreamFootprintError
from footprint_engine.factors import Factor, FactorLibrary, FactorMatch, flow_key
from footprint_engine.factors.rules import PRODUCT_FOOTPRINT, RuledMatch, grid_factor_for, td_factor_for
from footprint_engine.greenpower import ClaimedPower, split_electricity
from footprint_engine.scenarios import UseEmission, UseFuel
from footprint_engine.units import conversion_factor

__all__ = ["CO2_BASIS_RULE", "IPCC_FUEL_NAMES", "TD_KIND", "Line", "LineBuilder"]

#: The rule whose grid CO2 factors a calculation on ``grid_basis="co2"`` takes (a stated deviation from the
#: product-footprint rule).
CO2_BASIS_RULE = "organisation-inventory/generic"
#: ``Line.gec_kind`` of the transmission-and-distribution line added to grid-delivered green power.
TD_KIND = "transmission-distribution"

#: Everyday fuel names → IPCC 2006 fuel names.
IPCC_FUEL_NAMES = {
    "diesel": "gas_diesel_oil",
    "gasoline": "motor_gasoline",
    "fuel_oil": "residual_fuel_oil",
    "kerosene": "other_kerosene",
}


@dataclass(slots=True)
class Line:
    input_id: str
    path: str
    kind: str
    stage: str
    description: str
    amount: float  # per declared unit, after allocation, in `unit`
    unit: str
    flows: dict[str, float]  # kg per unit of this line
    data_source: str
    primary_fraction: float  # share of this line's emissions that is primary data (0…1)
    quality: dict[str, float]
    uncertainty: Uncertainty | None = None
    factor: Factor | None = None
    upstream: UpstreamFootprint | None = None
    fallbacks: tuple[str, ...] = ()
    allocated: bool = True
    factor_gsd: float | None = None
    location_flows: dict[str, float] | None = None  # electricity: grid factor for the location-based figure
    claim: str | None = None  # electricity: serial / contract id, or "grid"
    gec_kind: str | None = None
    consumed: float = 0.0  # activity amount in the input's own unit, before scaling (for reporting)
    consumed_unit: str = ""
    conversion: str | None = None  # e.g. an energy amount converted through a net calorific value
    scenario: str | None = None  # "use" / "end-of-life" for lines of the life-cycle scenarios
    rule: str | None = None  # account rule that chose this line's factor (electricity)
    rule_steps: tuple[dict[str, str], ...] = ()  # its fallback steps as data


class LineBuilder:
    """Makes the inventory lines of one document's inputs: finds each input's factor (or upstream footprint)
    and converts its amount to the factor's unit. Amounts are per reporting period, not yet scaled."""

    def __init__(
        self,
        activity: ActivityData,
        library: FactorLibrary,
        upstream: dict[str, UpstreamFootprint],
        options: CalculationOptions,
        year: int,
    ) -> None:
        self.activity = activity
        self.library = library
        self.upstream = upstream
        self.options = options
        self.year = year
        self.geo = activity.site.grid_region
        #: where the calculation departs from the account rule, as data: {"code", "path", "text"}
        self.deviations: list[dict[str, str]] = []

    def lines_for(self, path: str, item: object) -> list[Line]:
        if isinstance(item, MaterialInput):
            return [self._material(path, item)]
        if isinstance(item, PackagingInput):
            return [self._simple(path, item, "packaging", "material", item.material)]
        if isinstance(item, FuelInput):
            return [self.fuel_line(path, item)]
        if isinstance(item, ElectricityInput):
            return self._electricity(path, item)
        if isinstance(item, HeatInput):
            return [self._simple(path, item, "heat", "heat", item.carrier)]
        if isinstance(item, TransportLeg):
            return [self._transport(path, item)]
        if isinstance(item, ProcessEmission):
            return [self.process_line(path, item)]
        if isinstance(item, WasteInput):
            return [self._simple(path, item, "waste", "waste", item.treatment)]
        raise TypeError(f"unexpected input {type(item).__name__}")  # pragma: no cover

    # -- building blocks, also used for the lines of the life-cycle scenarios ------------------------------

    def match(
        self, path: str, factor_id: str | None, kind: str, key: str, geo: str | None = None
    ) -> FactorMatch:
        if factor_id:
            f = self.library.get(factor_id, field=f"{path}.factorId")
            return FactorMatch(factor=f, requested=f"factor {factor_id}")
        return self.library.find(kind, key, geo or self.geo, self.year, field=path)

    def grid_match(self, path: str, factor_id: str | None, region: str) -> FactorMatch:
        """The grid factor of an electricity input: the one the product-footprint rule prescribes
        (:mod:`footprint_engine.factors.rules`); a document's own ``factorId``, or the ``co2`` grid basis, is a
        deviation the result states."""
        if factor_id:
            self.deviations.append(
                {
                    "code": "factor-id-given",
                    "path": f"{path}.factorId",
                    "text": f"{path} uses factor {factor_id} named in the document instead of the grid factor of "
                    f"rule {PRODUCT_FOOTPRINT}",
                }
            )
            return self.match(path, factor_id, "electricity-grid", self.options.grid_basis, region)
        rule = PRODUCT_FOOTPRINT if self.options.grid_basis == "footprint" else CO2_BASIS_RULE
        return grid_factor_for(rule, region, self.year, self.library, field=path)

    @staticmethod
    def convert(amount: float, unit: str, want: str, path: str, what: str) -> float:
        try:
            return amount * conversion_factor(unit, want)
        except Exception:
            raise UnitError(
                "unit mismatch",
                f"input unit {unit!r} cannot be converted to {want!r}, the unit of {what}",
                f"give the amount in a unit convertible to {want}",
                field=f"{path}.unit",
            ) from None

    def new_line(
        self,
        path: str,
        item: object,
        kind: str,
        description: str,
        amount: float,
        unit: str,
        flows: dict[str, float],
        *,
        match: FactorMatch | None = None,
        primary: float | None = None,
        quality: dict[str, float] | None = None,
    ) -> Line:
        q: DataQuality = item.data_quality  # type: ignore[attr-defined]
        source: str = item.data_source  # type: ignore[attr-defined]
        return Line(
            input_id=item.id,  # type: ignore[attr-defined]
            path=path,
            kind=kind,
            stage=item.stage,  # type: ignore[attr-defined]
            description=description,
            amount=amount,
            unit=unit,
            flows=flows,
            data_source=source,
            primary_fraction=(1.0 if source == "primary" else 0.0) if primary is None else primary,
            quality=quality or q.model_dump(),
            uncertainty=item.uncertainty,  # type: ignore[attr-defined]
            factor=match.factor if match else None,
            fallbacks=match.fallbacks if match else (),
            factor_gsd=match.factor.uncertainty_gsd if match else None,
            rule=match.rule if isinstance(match, RuledMatch) else None,
            rule_steps=match.steps if isinstance(match, RuledMatch) else (),
        )

    def _simple(
        self, path: str, item: PackagingInput | HeatInput | WasteInput, kind: str, fkind: str, key: str
    ) -> Line:
        m = self.match(path, item.factor_id, fkind, key)
        amount = self.convert(item.amount, item.unit, m.factor.unit, path, f"factor {m.factor.id}")
        line = self.new_line(
            path, item, kind, item.name or key, amount, m.factor.unit, dict(m.factor.emissions), match=m
        )
        line.consumed, line.consumed_unit = item.amount, item.unit
        return line

    def _material(self, path: str, item: MaterialInput) -> Line:
        ref = item.upstream_footprint
        if ref is None:
            return self._simple_material(path, item)
        # an exact "identifier@version" key is the caller's choice (supply-chain what-ifs re-point it); a bare
        # identifier key must hold the version the document cites
        up = self.upstream.get(f"{ref.identifier}@{ref.version}")
        if up is None:
            up = self.upstream.get(ref.identifier)
            if up is not None and up.version != ref.version:
                raise UpstreamFootprintError(
                    "upstream footprint version mismatch",
                    f"the document cites {ref.identifier}@{ref.version} but version {up.version} was supplied",
                    "supply the cited version, or cite the supplied version in upstreamFootprint.version",
                    field=f"{path}.upstreamFootprint.version",
                )
        if up is None:
            raise UpstreamFootprintError(
                "upstream footprint missing",
                f"{ref.identifier}@{ref.version} is cited but was not supplied",
                "publish/share that footprint first, or drop upstreamFootprint to use a secondary factor",
                field=f"{path}.upstreamFootprint",
            )
        if up.identifier != ref.identifier:
            raise UpstreamFootprintError(
                "upstream footprint mismatch",
                f"cited {ref.identifier!r}, supplied {up.identifier!r}",
                "supply the footprint of the cited product",
                field=f"{path}.upstreamFootprint.identifier",
            )
        amount = self.convert(
            item.amount,
            item.unit,
            up.declared_unit,
            path,
            f"upstream footprint {up.reference} (per {up.declared_unit})",
        )
        line = self.new_line(
            path,
            item,
            "material",
            item.name or item.identifier,
            amount,
            up.declared_unit,
            dict(up.flows),
            primary=up.primary_data_share / 100.0,
            quality={k: float(v) for k, v in up.dqi.items()} or item.data_quality.model_dump(),
        )
        line.upstream = up
        line.data_source = "primary"
        line.factor_gsd = up.uncertainty_gsd
        line.consumed, line.consumed_unit = item.amount, item.unit
        return line

    def _simple_material(self, path: str, item: MaterialInput) -> Line:
        m = self.match(path, item.factor_id, "material", item.identifier)
        amount = self.convert(item.amount, item.unit, m.factor.unit, path, f"factor {m.factor.id}")
        line = self.new_line(
            path,
            item,
            "material",
            item.name or item.identifier,
            amount,
            m.factor.unit,
            dict(m.factor.emissions),
            match=m,
        )
        line.consumed, line.consumed_unit = item.amount, item.unit
        return line

    def fuel_line(self, path: str, item: FuelInput | UseFuel) -> Line:
        if item.method == "ipcc-2006":
            key = "ipcc-2006:" + IPCC_FUEL_NAMES.get(item.fuel, item.fuel)
            geo = "GLO"
        else:
            key, geo = f"cn-default:{item.fuel}", "CN"
        m = self.match(path, item.factor_id, "fuel", key, geo)
        amount, conversion = fuel_in_factor_unit(item.amount, item.unit, m.factor, path)
        line = self.new_line(
            path,
            item,
            "fuel",
            item.name or item.fuel,
            amount,
            m.factor.unit,
            dict(m.factor.emissions),
            match=m,
        )
        line.consumed, line.consumed_unit = item.amount, item.unit
        line.conversion = conversion
        return line

    def _transport(self, path: str, item: TransportLeg) -> Line:
        m = self.match(path, item.factor_id, "transport", item.mode, "GLO")
        tkm = (item.mass.amount * conversion_factor(item.mass.unit, "t")) * (
            item.distance.amount * conversion_factor(item.distance.unit, "km")
        )
        amount = self.convert(tkm, "tkm", m.factor.unit, path, f"factor {m.factor.id}")
        line = self.new_line(
            path,
            item,
            "transport",
            f"{item.mode} {item.material or ''}".strip(),
            amount,
            m.factor.unit,
            dict(m.factor.emissions),
            match=m,
        )
        line.consumed, line.consumed_unit = tkm, "tkm"
        return line

    def process_line(self, path: str, item: ProcessEmission | UseEmission) -> Line:
        kg = self.convert(item.amount, item.unit, "kg", path, "a process emission (mass of gas)")
        line = self.new_line(
            path,
            item,
            "process",
            item.name or f"{item.gas} ({item.origin})",
            kg,
            "kg",
            {flow_key(item.gas, item.origin): 1.0},
        )
        line.consumed, line.consumed_unit = item.amount, item.unit
        return line

    def _electricity(self, path: str, item: ElectricityInput) -> list[Line]:
        region = item.grid_region or self.geo
        grid = self.grid_match(path, item.factor_id, region)
        td_applies = self.options.grid_basis == "footprint"
        lines = []
        for k, sl in enumerate(split_electricity(item)):
            if sl.generation_type is None:
                m, desc = grid, f"grid electricity {region}"
            else:
                m = self.library.find(
                    "electricity-generation",
                    sl.generation_type,
                    region,
                    self.year,
                    field=f"{path}.greenPowerClaims[{k}].generationType",
                )
                desc = f"{sl.kind} {sl.claim_ref} ({sl.generation_type})"
            unit = m.factor.unit
            amount = self.convert(sl.mwh, "MWh", unit, path, f"factor {m.factor.id}")
            line = self.new_line(
                path, item, "electricity", desc, amount, unit, dict(m.factor.emissions), match=m
            )
            to_grid_unit = conversion_factor(unit, grid.factor.unit)
            line.location_flows = {g: v * to_grid_unit for g, v in grid.factor.emissions.items()}
            line.claim = sl.claim_ref or "grid"
            line.gec_kind = sl.kind
            line.consumed, line.consumed_unit = sl.mwh, "MWh"
            lines.append(line)
            if sl.generation_type is not None and sl.over_grid and td_applies and sl.mwh > 0:
                td = self._transmission_distribution(path, item, region, sl, k)
                if td is not None:
                    lines.append(td)
        return lines

    def _transmission_distribution(
        self, path: str, item: ElectricityInput, region: str, sl: ClaimedPower, k: int
    ) -> Line | None:
        """GB/T 24067-2024 6.4.9.4 (ISO 14067:2018): electricity's emissions include its transmission and
        distribution, so green power delivered over the grid adds MEE's T&D footprint factor to the generation
        type's (whose factor ends at the power plant). Its own line and factor use; 0 in the location-based
        figure, whose grid average already covers the grid. A library without the factor is a stated deviation."""
        try:
            m = td_factor_for(PRODUCT_FOOTPRINT, region, self.year, self.library, field=path)
        except FactorNotFoundError as exc:
            self.deviations.append(
                {
                    "code": "td-factor-missing",
                    "path": f"{path}.greenPowerClaims[{k}]",
                    "text": f"transmission and distribution not counted for {sl.kind} {sl.claim_ref}: {exc.detail}",
                }
            )
            return None
        amount = self.convert(sl.mwh, "MWh", m.factor.unit, path, f"factor {m.factor.id}")
        line = self.new_line(
            path,
            item,
            "electricity",
            f"transmission and distribution of {sl.kind} {sl.claim_ref}",
            amount,
            m.factor.unit,
            dict(m.factor.emissions),
            match=m,
        )
        line.location_flows = {}
        line.claim = sl.claim_ref
        line.gec_kind = TD_KIND
        line.consumed, line.consumed_unit = sl.mwh, "MWh"
        return line
