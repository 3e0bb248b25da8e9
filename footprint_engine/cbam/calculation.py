"""Specific embedded emissions (SEE) per production process, after Regulation (EU) 2023/956 Annex IV
points 2-3 and Implementing Regulation (EU) 2023/1773 Annex III sections F-G:

    AttrDirEm_p   = Σ fuel + process + PFC + heat imported − heat exported   (each source × its attribution)
    AttrIndirEm_p = Σ E_el × EF_el                                          (factor per the electricity rule)
    EE_InpMat     = Σ M_i × SEE_i                                           (direct and indirect separately)
    SEE_p         = (AttrEm_p + EE_InpMat) / AL_p                            (tCO2e per tonne)

Every good of a process shares its SEE. Results are rounded to five decimal places, the precision
Implementing Regulation (EU) 2023/1773 allows for specific embedded emissions.
"""

from __future__ import annotations

from dataclasses import dataclass

from footprint_engine.cbam.defaults import DefaultTable
from footprint_engine.cbam.electricity import apply_electricity_rule
from footprint_engine.cbam.errors import (
    CbamInputError,
    MissingProductionRouteError,
    PrecursorMassError,
    UnsupportedGoodError,
)
from footprint_engine.cbam.model import (
    DirectEmissionSource,
    Installation,
    PfcSlopeMethod,
    PrecursorInput,
    ProductionProcess,
)
from footprint_engine.cbam.results import ElectricityLine, PrecursorContribution, ProcessResult
from footprint_engine.cbam.scope import (
    GoodScope,
    ProductionRoute,
    classify_good,
    resolve_route,
    routes_for_category,
)

__all__ = [
    "GWP_C2F6",
    "GWP_CF4",
    "SEE_DECIMALS",
    "ProcessPlan",
    "calculate_processes",
    "check_installation",
    "pfc_slope_tco2e",
    "source_tco2e",
]

SEE_DECIMALS = 5
#: GWP100 (IPCC AR5) that Implementing Regulation (EU) 2023/1773 Annex VIII and the communication template
#: (Parameters_Constants, CONST_GWP_CF4 / CONST_GWP_C2F6) use for PFC.
GWP_CF4 = 6630.0
GWP_C2F6 = 11100.0
_ATTRIBUTION_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class ProcessPlan:
    """A process after the checks: the Annex I entry and route of each good, in calculation order."""

    process: ProductionProcess
    category: str
    sector: str
    route: ProductionRoute | None
    good_scopes: tuple[GoodScope, ...]
    precursor_routes: tuple[ProductionRoute | None, ...]


def pfc_slope_tco2e(slope: PfcSlopeMethod) -> float:
    """PFC emissions (tCO2e) by the slope method, as the template's sheet B_EmInst (b) computes them."""
    cf4 = (
        slope.primary_aluminium_t
        * slope.anode_effect_frequency
        * slope.anode_effect_duration
        * slope.sef_cf4
        / 1000
    )
    c2f6 = cf4 * slope.f_c2f6
    return (cf4 * GWP_CF4 + c2f6 * GWP_C2F6) / slope.collection_efficiency


def source_tco2e(source: DirectEmissionSource) -> float:
    """Emissions of one source (negative for exported heat); raises on an incomplete or ambiguous source."""
    if source.pfc_slope is not None:
        if source.kind != "pfc":
            raise CbamInputError(
                f"direct emission source {source.source_id!r}: pfc_slope given for kind {source.kind!r} — "
                "set kind to 'pfc' or remove pfc_slope"
            )
        if source.tco2e is not None or source.activity_data is not None:
            raise CbamInputError(
                f"direct emission source {source.source_id!r}: pfc_slope given together with tco2e or "
                "activity_data — give one of them"
            )
        return pfc_slope_tco2e(source.pfc_slope)
    if source.tco2e is not None:
        if source.activity_data is not None:
            raise CbamInputError(
                f"direct emission source {source.source_id!r}: both tco2e and activity_data given — "
                "give one of them"
            )
        amount = source.tco2e
    else:
        if source.activity_data is None or source.emission_factor is None:
            raise CbamInputError(
                f"direct emission source {source.source_id!r}: no amount — give tco2e, or activity_data "
                "with emission_factor and factor_source"
            )
        if not source.factor_source.strip():
            raise CbamInputError(
                f"direct emission source {source.source_id!r}: emission factor {source.emission_factor} "
                "has no source — set factor_source"
            )
        amount = source.activity_data * source.emission_factor
    return -amount if source.kind == "heat_exported" else amount


def _order(plans: dict[str, ProcessPlan]) -> list[ProcessPlan]:
    """Processes ordered so that in-house precursors are computed before the processes consuming them."""
    ordered: list[ProcessPlan] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(pid: str, chain: list[str]) -> None:
        if state.get(pid) == 2:
            return
        if state.get(pid) == 1:
            raise CbamInputError(
                f"in-house precursors form a cycle: {' → '.join([*chain, pid])} — a process cannot "
                "consume its own output through other processes; remove one from_process link"
            )
        state[pid] = 1
        for pre in plans[pid].process.precursors:
            if pre.from_process is not None:
                visit(pre.from_process, [*chain, pid])
        state[pid] = 2
        ordered.append(plans[pid])

    for pid in plans:
        visit(pid, [])
    return ordered


def _check_precursor(
    pre: PrecursorInput, process: ProductionProcess, process_ids: set[str]
) -> ProductionRoute | None:
    where = f"process {process.process_id!r} precursor {pre.precursor_id!r}"
    scope = classify_good(pre.cn_code)
    if pre.from_process is not None:
        if pre.from_process not in process_ids:
            raise CbamInputError(
                f"{where}: from_process {pre.from_process!r} is not a process of the installation"
            )
        if pre.from_process == process.process_id:
            raise CbamInputError(f"{where}: from_process names the consuming process itself — remove it")
        return None
    if pre.supplier_data is not None:
        data = pre.supplier_data
        if (data.electricity_mwh_per_t is None) != (data.electricity_factor is None):
            raise CbamInputError(
                f"{where}: supplier_data gives only one of electricity_mwh_per_t and electricity_factor — "
                "give both (SEE indirect = MWh/t × tCO2/MWh) or neither"
            )
        if data.electricity_mwh_per_t is not None and data.electricity_factor is not None:
            product = data.electricity_mwh_per_t * data.electricity_factor
            if abs(product - data.see_indirect) > 1e-6 * max(1.0, data.see_indirect):
                raise CbamInputError(
                    f"{where}: supplier_data see_indirect {data.see_indirect:g} tCO2e/t, but "
                    f"electricity_mwh_per_t × electricity_factor = {product:g} — correct one of them"
                )
        return _purchased_route(pre, scope, where)
    # Valued at the default: the route selects the default-value line.
    if not routes_for_category(scope.aggregated_goods_category):
        return None
    try:
        return resolve_route(scope, pre.production_route, good_id=pre.precursor_id)
    except MissingProductionRouteError as exc:
        raise MissingProductionRouteError(f"{where} valued at the default: {exc}") from None


def _purchased_route(pre: PrecursorInput, scope: GoodScope, where: str) -> ProductionRoute | None:
    """The route of a precursor bought with the supplier's data: optional, but checked when given."""
    if not pre.production_route or not routes_for_category(scope.aggregated_goods_category):
        return None
    try:
        return resolve_route(scope, pre.production_route, good_id=pre.precursor_id)
    except MissingProductionRouteError as exc:
        raise MissingProductionRouteError(f"{where}: {exc}") from None


def check_installation(installation: Installation) -> list[ProcessPlan]:
    """The checks, in order; each failure names the field to fix.

    (1) reporting period and unique ids; (2) every good in Annex I with its production route, one
    aggregated goods category and route per process; (3) direct emission sources with an amount and an
    attribution to existing processes summing to 1; (4) precursors: in scope, in-house link valid, route
    when a default is needed; (5) precursor mass within tolerance of product mass; (6) processes ordered
    so in-house precursors come first (no cycles).
    """
    inst = installation
    # (1)
    if inst.reporting_period_end < inst.reporting_period_start:
        raise CbamInputError(
            f"reporting period ends {inst.reporting_period_end} before it starts {inst.reporting_period_start}"
            " — swap or correct the dates"
        )
    if inst.verified and inst.verifier is None:
        raise CbamInputError(
            "verified is true but no verifier is given — name the verifier (company, address, accreditation) "
            "or set verified to false"
        )
    if inst.verified and inst.quality_assurance not in ("", "Third-party verification"):
        raise CbamInputError(
            f"verified is true but quality_assurance is {inst.quality_assurance!r} — verified data come from "
            "'Third-party verification'"
        )
    process_ids = [p.process_id for p in inst.processes]
    good_ids = [g.good_id for p in inst.processes for g in p.goods]
    for label, ids in (("process_id", process_ids), ("good_id", good_ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) != len(ids) else []
        if dupes:
            raise CbamInputError(f"duplicate {label} {dupes[0]!r} — every {label} must be unique")
    known = set(process_ids)
    plans: dict[str, ProcessPlan] = {}
    for process in inst.processes:
        # (2)
        scopes: list[GoodScope] = []
        routes: list[ProductionRoute | None] = []
        for good in process.goods:
            scope = classify_good(good.cn_code)
            if scope.sector == "electricity":
                raise UnsupportedGoodError(
                    f"good {good.good_id!r}: electricity (CN 27160000) as an exported good is not "
                    "calculated by this module — report it with the electricity-specific method"
                )
            scopes.append(scope)
            routes.append(resolve_route(scope, good.production_route, good_id=good.good_id))
        categories = {s.aggregated_goods_category for s in scopes}
        if len(categories) != 1:
            raise CbamInputError(
                f"process {process.process_id!r} produces goods of several aggregated goods categories "
                f"({', '.join(sorted(categories))}) — split it into one process per category"
            )
        route_names = {r.route if r else None for r in routes}
        if len(route_names) != 1:
            raise MissingProductionRouteError(
                f"process {process.process_id!r} mixes production routes "
                f"({', '.join(sorted(str(r) for r in route_names))}) — one route per process"
            )
        # (4)
        pre_routes = tuple(_check_precursor(pre, process, known) for pre in process.precursors)
        # (5)
        activity = sum(g.activity_level_t for g in process.goods)
        pre_mass = sum(pre.mass_t for pre in process.precursors)
        limit = activity * (1 + inst.precursor_mass_tolerance)
        if pre_mass > limit + 1e-9:
            raise PrecursorMassError(
                f"process {process.process_id!r}: precursor mass {pre_mass:g} t exceeds product mass "
                f"{activity:g} t by more than the tolerance {inst.precursor_mass_tolerance:.0%} (limit "
                f"{limit:g} t) — check precursor mass_t and goods activity_level_t (same period, tonnes)"
            )
        plans[process.process_id] = ProcessPlan(
            process=process,
            category=scopes[0].aggregated_goods_category,
            sector=scopes[0].sector,
            route=routes[0],
            good_scopes=tuple(scopes),
            precursor_routes=pre_routes,
        )
    # (3)
    for source in inst.direct_emissions:
        source_tco2e(source)
        unknown = [pid for pid in source.attribution if pid not in known]
        if unknown:
            raise CbamInputError(
                f"direct emission source {source.source_id!r}: attributed to unknown process {unknown[0]!r}"
                " — use a process_id of the installation"
            )
        total = sum(source.attribution.values())
        if abs(total - 1.0) > _ATTRIBUTION_TOLERANCE or any(f < 0 for f in source.attribution.values()):
            raise CbamInputError(
                f"direct emission source {source.source_id!r}: attribution fractions sum to {total:g}, "
                "want 1 with none negative — attribute the whole source to the processes"
            )
    # (6)
    return _order(plans)


def calculate_processes(installation: Installation, table: DefaultTable) -> list[ProcessResult]:
    """SEE of every process (checks first); order: as computed (in-house precursors first)."""
    plans = check_installation(installation)
    attributed: dict[str, float] = {p.process.process_id: 0.0 for p in plans}
    for source in installation.direct_emissions:
        amount = source_tco2e(source)
        for pid, fraction in source.attribution.items():
            attributed[pid] += amount * fraction
    period = (installation.reporting_period_start, installation.reporting_period_end)
    done: dict[str, ProcessResult] = {}
    exact: dict[str, tuple[float, float]] = {}  # unrounded SEE for in-house precursors
    for plan in plans:
        process = plan.process
        lines = [
            apply_electricity_rule(
                use,
                installation.grid_factor,
                where=f"process {process.process_id!r} electricity[{i}]",
                period=period,
            )
            for i, use in enumerate(process.electricity)
        ]
        contributions = [
            _precursor_contribution(pre, route, exact, table)
            for pre, route in zip(process.precursors, plan.precursor_routes, strict=True)
        ]
        activity = sum(g.activity_level_t for g in process.goods)
        direct = attributed[process.process_id]
        indirect = sum(line.tco2e for line in lines)
        pre_direct = sum(c.embedded_direct_tco2e for c in contributions)
        pre_indirect = sum(c.embedded_indirect_tco2e for c in contributions)
        total = direct + indirect + pre_direct + pre_indirect
        from_default = sum(
            c.embedded_direct_tco2e + c.embedded_indirect_tco2e
            for c in contributions
            if c.determination == "default"
        )
        exact[process.process_id] = ((direct + pre_direct) / activity, (indirect + pre_indirect) / activity)
        see_direct = round(exact[process.process_id][0], SEE_DECIMALS)
        see_indirect = round(exact[process.process_id][1], SEE_DECIMALS)
        done[process.process_id] = ProcessResult(
            process_id=process.process_id,
            name=process.name,
            aggregated_goods_category=plan.category,
            production_route=plan.route.route if plan.route else None,
            activity_level_t=activity,
            attributed_direct_tco2e=direct,
            attributed_indirect_tco2e=indirect,
            precursors_direct_tco2e=pre_direct,
            precursors_indirect_tco2e=pre_indirect,
            electricity_mwh=sum(line.mwh for line in lines),
            electricity=[
                ElectricityLine(
                    mwh=line.mwh,
                    factor_tco2_per_mwh=line.factor,
                    factor_source=line.source,
                    basis=line.basis,
                    reason=line.reason,
                    tco2e=line.tco2e,
                )
                for line in lines
            ],
            precursors=contributions,
            see_direct=see_direct,
            see_indirect=see_indirect,
            see_total=round(see_direct + see_indirect, SEE_DECIMALS),
            default_share=0.0 if total <= 0 else round(from_default / total, 4),
        )
    return list(done.values())


def _precursor_contribution(
    pre: PrecursorInput,
    route: ProductionRoute | None,
    exact: dict[str, tuple[float, float]],
    table: DefaultTable,
) -> PrecursorContribution:
    scope = classify_good(pre.cn_code)
    code = scope.cn_code
    mwh_per_t: float | None = None
    factor: float | None = None
    if pre.from_process is not None:
        see_d, see_i = exact[pre.from_process]
        determination, source = "own_process", f"process {pre.from_process} of this installation"
    elif pre.supplier_data is not None:
        data = pre.supplier_data
        see_d, see_i = data.see_direct, data.see_indirect
        mwh_per_t, factor = data.electricity_mwh_per_t, data.electricity_factor
        determination, source = "actual_supplier", data.source
    else:
        default = table.default_value(
            pre.country_of_origin, code, route.default_route_code if route else None
        )
        see_d, see_i = default.direct, default.indirect or 0.0
        determination = "default"
        source = f"{default.source} [{default.key}], without mark-up"
    return PrecursorContribution(
        precursor_id=pre.precursor_id,
        cn_code=code,
        aggregated_goods_category=scope.aggregated_goods_category,
        production_route=route.route if route else pre.production_route,
        country_of_origin=pre.country_of_origin,
        from_process=pre.from_process,
        electricity_mwh_per_t=mwh_per_t,
        electricity_factor=factor,
        mass_t=pre.mass_t,
        see_direct=see_d,
        see_indirect=see_i,
        determination=determination,
        source=source,
        embedded_direct_tco2e=pre.mass_t * see_d,
        embedded_indirect_tco2e=pre.mass_t * see_i,
    )
