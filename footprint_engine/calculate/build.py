"""Turn an inventory and its solved flow matrix into a :class:`FootprintResult`."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, Literal

import numpy as np

from footprint_engine.activity import STAGES
from footprint_engine.allocation import allocation_shares
from footprint_engine.brightway import brightway_versions
from footprint_engine.calculate.energy import comprehensive_energy
from footprint_engine.calculate.line_builder import TD_KIND
from footprint_engine.calculate.lines import ALLOCATED_STAGES, Inventory
from footprint_engine.calculate.options import CalculationOptions
from footprint_engine.calculate.result import (
    CategoryTotals,
    DataQualityIndicators,
    ElectricityReport,
    FactorAlternative,
    FactorUse,
    FootprintResult,
    FunctionalUnitReport,
    GasResult,
    InputContribution,
    LifeCycleReport,
    RuleApplication,
    RuleUse,
    UpstreamSource,
)
from footprint_engine.calculate.scenario_lines import CUT_OFF_RULE
from footprint_engine.factors import Factor, FactorLibrary, GwpSet, characterisation
from footprint_engine.factors.rules import PRODUCT_FOOTPRINT, account_rule
from footprint_engine.scenarios import eol_product_mass_kg, scenario_items, service_life_years
from footprint_engine.units import conversion_factor
from footprint_engine.version import ENGINE_VERSION

__all__ = ["METHOD", "build_result", "engine_meta"]

METHOD: dict[str, Any] = {
    "standard": "GB/T 24067-2024 (ISO 14067:2018, MOD)",
    "calculation": "matrix LCA on Brightway 2.5 (bw2calc LCA, in-memory bw_processing datapackages)",
    "greenPower": "valid GEC / green-power-contract MWh at generation-type factors plus MEE's transmission-and-"
    "distribution factor when delivered over the grid, remainder at the grid factor",
    "accountRule": "grid factors chosen by the account rule (see rules): GB/T 24067-2024 product footprint",
    "allocation": "inputs of the raw-material and production stages multiplied by the product's share",
    "primaryDataShare": "PACT: Σ input emissions × input primary fraction / Σ emissions (excl. removals)",
    "dqi": "emission-weighted pedigree scores 1–5 (= PACT v3 DQR scale 1–5)",
    "systemBoundary": "cradle-to-gate by default; cradle-to-grave with useScenario + endOfLifeScenario",
    "endOfLife": "cut-off approach: no credits for recycled material or recovered energy",
    "fuelEnergy": "fuels in energy units ÷ net calorific value (GB/T 2589-2020 / IPCC 2006); 1 kgce = 29307 kJ",
}


def engine_meta(library: FactorLibrary, options: CalculationOptions, started: float) -> dict[str, Any]:
    """The result's ``engine`` block: versions, factor library and options of a calculation that began at
    ``started`` (:func:`time.perf_counter`)."""
    return {
        "name": "tanlian footprint_engine",
        "version": ENGINE_VERSION,
        "versions": brightway_versions(),
        "factorLibrary": library.name,
        "factorCount": len(library),
        "options": options.model_dump(by_alias=True, mode="json", exclude={"brightway_dir"}),
        "elapsedMs": round(1000 * (time.perf_counter() - started), 3),
    }


def build_result(
    inv: Inventory,
    flow_keys: list[str],
    line_flows: np.ndarray,
    library: FactorLibrary,
    options: CalculationOptions,
    engine: dict[str, Any],
) -> FootprintResult:
    """``line_flows[f, j]``: kg of flow ``flow_keys[f]`` per declared unit caused by line ``j``."""
    act = inv.activity
    gwp = np.array([characterisation(f, options.gwp_set) for f in flow_keys])
    co2e_by_line = gwp @ line_flows if line_flows.size else np.zeros(len(inv.lines))
    per_flow_kg = line_flows.sum(axis=1) if line_flows.size else np.zeros(len(flow_keys))
    per_flow_co2e = per_flow_kg * gwp
    removal_mask = np.array([f.endswith("/biogenic-removal") for f in flow_keys], dtype=bool)
    gross_by_line = (gwp * ~removal_mask) @ line_flows if line_flows.size else co2e_by_line

    cats: defaultdict[str, float] = defaultdict(float)
    for f, value in zip(flow_keys, per_flow_co2e, strict=True):
        cats[f.partition("/")[2]] += float(value)
    total = float(per_flow_co2e.sum())
    gross = total - cats["biogenic-removal"]
    emissions = CategoryTotals(
        total=total,
        total_excluding_biogenic_removals=gross,
        fossil=cats["fossil"],
        aircraft=cats["aircraft"],
        dluc=cats["dluc"],
        biogenic_emissions=cats["biogenic"],
        biogenic_removals=cats["biogenic-removal"],
    )
    per_gas = [
        GasResult(
            gas=f.partition("/")[0],
            origin=f.partition("/")[2],
            mass_kg=float(kg),
            kg_co2e=float(c),
            gwp100=float(g),
        )
        for f, kg, c, g in zip(flow_keys, per_flow_kg, per_flow_co2e, gwp, strict=True)
    ]
    per_stage = dict.fromkeys(STAGES, 0.0)
    contributions: list[InputContribution] = []
    pds_num = 0.0
    quality_num: dict[str, float] = defaultdict(float)
    weight_sum = 0.0
    for j, line in enumerate(inv.lines):
        c = float(co2e_by_line[j])
        per_stage[line.stage] += c
        g = float(gross_by_line[j])
        pds_num += g * line.primary_fraction
        w = abs(g)
        weight_sum += w
        for dim in ("technological", "temporal", "geographical", "reliability", "completeness"):
            quality_num[dim] += w * float(line.quality.get(dim, 3))
        contributions.append(
            InputContribution(
                input_id=line.input_id,
                path=line.path,
                kind=line.kind,
                stage=line.stage,
                description=line.description,
                amount=line.amount,
                unit=line.unit,
                kg_co2e=c,
                share_percent=100.0 * g / gross if gross else 0.0,
                data_source="primary" if line.data_source == "primary" else "secondary",
                primary_data_share_percent=100.0 * line.primary_fraction,
                factor_id=line.factor.id if line.factor else None,
                upstream=line.upstream.reference if line.upstream else None,
                claim=line.claim,
                fallbacks=list(line.fallbacks),
                flows={f: float(line_flows[i, j]) for i, f in enumerate(flow_keys) if line_flows[i, j] != 0},
                conversion=line.conversion,
            )
        )
    ranked = sorted(contributions, key=lambda c: -abs(c.kg_co2e))
    top = list(dict.fromkeys(c.input_id for c in ranked))[: options.top_n]
    n = len(inv.lines)
    dq = {
        d: (quality_num[d] / weight_sum if weight_sum else 3.0)
        for d in ("technological", "temporal", "geographical", "reliability", "completeness")
    }
    excluded = sum(e.estimated_share_percent for e in act.exclusions)
    dqi = DataQualityIndicators(
        coverage_percent=max(0.0, 100.0 - excluded),
        **dq,
        pact_dqr={
            "technologicalDQR": dq["technological"],
            "geographicalDQR": dq["geographical"],
            "temporalDQR": dq["temporal"],
        },
    )
    stages_present = {line.stage for line in inv.lines}
    # = act.system_boundary, from the lines already at hand (scenarios, or stage-tagged inputs as before)
    scenarios = act.use_scenario is not None and act.end_of_life_scenario is not None
    grave = scenarios or bool({"use", "end-of-life"} & stages_present)
    boundary: Literal["cradle-to-gate", "cradle-to-grave"] = "cradle-to-grave" if grave else "cradle-to-gate"
    if scenarios:
        stages_present |= {"use", "end-of-life"}
    return FootprintResult(
        product_identifier=act.product_identifier,
        product_name=act.product_name,
        organisation=act.organisation.id,
        declared_unit=act.declared_unit,
        produced_quantity=inv.produced,
        reporting_period_start=act.reporting_period.start,
        reporting_period_end=act.reporting_period.end,
        geography=act.site.grid_region,
        system_boundary=boundary,
        stages_included=[
            s for s in STAGES if s in stages_present or s in ("raw-material-acquisition", "production")
        ],
        method={
            **METHOD,
            "gwp": f"IPCC {options.gwp_set} GWP100",
            "gridBasis": options.grid_basis,
            "factorYear": inv.year,
        },
        emissions=emissions,
        per_gas=per_gas,
        per_stage=per_stage,
        per_input=contributions,
        top_contributors=top,
        flows={f: float(v) for f, v in zip(flow_keys, per_flow_kg, strict=True) if v != 0},
        electricity=_electricity(inv, co2e_by_line, options, total),
        energy=comprehensive_energy(act, library, inv.allocation_share / inv.produced),
        primary_data_share=100.0 * pds_num / gross if gross else 0.0,
        dqi=dqi,
        allocation=_allocation(inv),
        cut_off={
            "excludedSharePercent": excluded,
            "exclusions": [e.model_dump(by_alias=True) for e in act.exclusions],
        },
        factors=_factors(inv, library, options.gwp_set),
        upstream_footprints=sorted({ln.upstream.reference for ln in inv.lines if ln.upstream}),
        upstream_sources=_upstream_sources(inv),
        illustrative_factors_used=any(ln.factor is not None and ln.factor.illustrative for ln in inv.lines),
        engine={**engine, "lines": n},
        life_cycle=_life_cycle(inv, boundary, per_stage, contributions),
        functional_unit=_functional_unit(inv, total, per_stage),
        rules=[_rule_use(inv, options)],
    )


def _upstream_sources(inv: Inventory) -> list[UpstreamSource] | None:
    """Result id and publisher of each upstream footprint used, by reference; None when none was used."""
    used = {ln.upstream.reference: ln.upstream for ln in inv.lines if ln.upstream}
    if not used:
        return None
    return [
        UpstreamSource(reference=ref, footprint_id=up.result_id, owner=up.owner)
        for ref, up in sorted(used.items())
    ]


def _life_cycle(
    inv: Inventory,
    boundary: Literal["cradle-to-gate", "cradle-to-grave"],
    per_stage: dict[str, float],
    contributions: list[InputContribution],
) -> LifeCycleReport:
    act = inv.activity
    by_path = {c.path: c.kg_co2e for c in contributions}
    use_doc = eol_doc = None
    if act.use_scenario is not None:
        use = act.use_scenario
        use_doc = {
            "description": use.description,
            "referenceServiceLifeYears": service_life_years(use),
            "gridRegion": use.grid_region or act.site.grid_region,
            "items": [
                {"path": p, "id": item.id, "basis": item.basis, "kgCO2e": by_path.get(p, 0.0)}
                for p, item in scenario_items(use, None)
            ],
        }
    if act.end_of_life_scenario is not None:
        eol = act.end_of_life_scenario
        mass = eol_product_mass_kg(eol, act.declared_unit)
        eol_doc = {
            "description": eol.description,
            "productMassKg": mass,
            "approach": CUT_OFF_RULE,
            "routes": [
                {
                    "path": p,
                    "id": r.id,
                    "treatment": r.treatment,
                    "sharePercent": r.share_percent,
                    "massKg": mass * r.share_percent / 100.0,
                    "kgCO2e": by_path.get(p, 0.0),
                }
                for p, r in scenario_items(None, eol)
            ],
        }
    return LifeCycleReport(
        system_boundary=boundary,
        cradle_to_gate=per_stage["raw-material-acquisition"] + per_stage["production"],
        distribution=per_stage["distribution"],
        use=per_stage["use"],
        end_of_life=per_stage["end-of-life"],
        use_scenario=use_doc,
        end_of_life_scenario=eol_doc,
    )


def _functional_unit(
    inv: Inventory, total: float, per_stage: dict[str, float]
) -> FunctionalUnitReport | None:
    act = inv.activity
    fu = act.functional_unit
    if fu is None:
        return None
    ratio = fu.reference_flow.amount * conversion_factor(fu.reference_flow.unit, act.declared_unit)
    return FunctionalUnitReport(
        description=fu.description,
        reference_flow=ratio,
        declared_unit=act.declared_unit,
        total=total * ratio,
        per_stage={s: v * ratio for s, v in per_stage.items()},
    )


def _electricity(
    inv: Inventory, co2e_by_line: np.ndarray, options: CalculationOptions, total: float
) -> ElectricityReport:
    consumed = gec = contract = grid = market = location = 0.0
    claims: list[dict[str, Any]] = []
    td: dict[tuple[str, str | None], str] = {}
    for j, line in enumerate(inv.lines):
        if line.kind != "electricity" or line.scenario is not None:
            continue  # use-stage electricity is per declared unit and not the site's
        if line.gec_kind == TD_KIND:  # the T&D of a claimed slice: no MWh of its own, 0 location-based
            market += float(co2e_by_line[j])
            td[(line.path, line.claim)] = line.factor.id if line.factor else ""
            continue
        mwh = line.consumed
        consumed += mwh
        if line.gec_kind == "gec":
            gec += mwh
        elif line.gec_kind == "green-power-contract":
            contract += mwh
        else:
            grid += mwh
        market += float(co2e_by_line[j])
        loc = sum(kg * characterisation(f, options.gwp_set) for f, kg in (line.location_flows or {}).items())
        location += loc * line.amount
        if line.gec_kind != "grid":
            claims.append(
                {
                    "path": line.path,
                    "type": line.gec_kind,
                    "reference": line.claim,
                    "mwh": mwh,
                    "factorId": line.factor.id if line.factor else None,
                }
            )
    for claim in claims:
        if (claim["path"], claim["reference"]) in td:
            claim["transmissionDistributionFactorId"] = td[(claim["path"], claim["reference"])]
    return ElectricityReport(
        consumed_mwh=consumed,
        gec_mwh=gec,
        contract_mwh=contract,
        grid_mwh=grid,
        location_based_kg_co2e=location,
        market_based_kg_co2e=market,
        total_location_based=total - market + location,
        total_market_based=total,
        claims=claims,
    )


def _allocation(inv: Inventory) -> dict[str, Any]:
    act = inv.activity
    alloc = act.allocation
    shares = allocation_shares(
        product=act.product_identifier,
        produced=act.produced_quantity,
        declared_unit=act.declared_unit,
        co_products=act.co_products,
        allocation=alloc,
    )
    return {
        "basis": alloc.basis if alloc else "none",
        "shares": shares,
        "productSharePercent": 100.0 * inv.allocation_share,
        "appliedToStages": sorted(ALLOCATED_STAGES),
        "rule": "GB/T 24067-2024 6.4.6: physical relationship first, economic value otherwise",
        "justification": alloc.justification if alloc else None,
    }


def _factors(inv: Inventory, library: FactorLibrary, gwp_set: GwpSet) -> list[FactorUse]:
    used_by: dict[str, list[str]] = {}
    fallbacks: dict[str, list[str]] = {}
    factors: dict[str, Factor] = {}
    for line in inv.lines:
        f = line.factor
        if f is None:
            continue
        factors[f.id] = f
        paths = used_by.setdefault(f.id, [])
        if line.path not in paths:
            paths.append(line.path)
        notes = fallbacks.setdefault(f.id, [])
        notes.extend(n for n in line.fallbacks if n not in notes)
    alternatives = _alternatives(factors, library, gwp_set)
    return [
        FactorUse(
            id=f.id,
            source=f.source,
            year=f.year,
            geography=f.geography,
            unit=f.unit,
            illustrative=f.illustrative,
            note=f.note,
            used_by=used_by[i],
            fallbacks=fallbacks[i],
            ncv_gj_per_unit=f.ncv_gj_per_unit,
            ncv_source=f.ncv_source,
            version=f.version,
            name_zh=f.name_zh,
            name_en=f.name_en,
            source_id=f.source_id,
            redistributable=f.redistributable,
            cpcd_code=f.cpcd_code,
            category=f.category,
            alternatives=alternatives[i],
        )
        for i, f in factors.items()
    ]


#: Most alternatives listed per factor use.
MAX_ALTERNATIVES = 10


def _alternatives(
    used: dict[str, Factor], library: FactorLibrary, gwp_set: GwpSet
) -> dict[str, list[FactorAlternative]]:
    """Per used factor: the library's other factors of the same kind with the same key and geography, or the
    same published name (Chinese or English), that were not used — e.g. CPCD entries that disagree. Factors
    that may not be redistributed are never listed (their names stay with their owner)."""
    wanted_keys = {(f.kind, f.key, f.geography) for f in used.values()}
    wanted_names = {(f.kind, n) for f in used.values() for n in (f.name_zh, f.name_en) if n}
    by_key: dict[tuple[str, str, str], list[Factor]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[Factor]] = defaultdict(list)
    if wanted_keys or wanted_names:
        for f in library.factors():
            if not f.redistributable or f.id in used:
                continue
            if (f.kind, f.key, f.geography) in wanted_keys:
                by_key[(f.kind, f.key, f.geography)].append(f)
            for n in (f.name_zh, f.name_en):
                if n and (f.kind, n) in wanted_names:
                    by_name[(f.kind, n)].append(f)
    out: dict[str, list[FactorAlternative]] = {}
    for fid, f in used.items():
        found: dict[str, Factor] = {}
        for other in by_key.get((f.kind, f.key, f.geography), []):
            found.setdefault(other.id, other)
        for n in (f.name_zh, f.name_en):
            for other in by_name.get((f.kind, n), []) if n else []:
                found.setdefault(other.id, other)
        ranked = sorted(found.values(), key=lambda a: (-(a.year or 0), a.id))[:MAX_ALTERNATIVES]
        out[fid] = [
            FactorAlternative(
                id=a.id,
                year=a.year,
                value=sum(kg * characterisation(flow, gwp_set) for flow, kg in a.emissions.items()),
                unit=a.unit,
                geography=a.geography,
                version=a.version,
                note=a.note,
            )
            for a in ranked
        ]
    return out


_USE_ORDER = ("grid", "transmission-distribution", "use-stage grid")


def _rule_use(inv: Inventory, options: CalculationOptions) -> RuleUse:
    """The product-footprint rule as applied: the grid (and T&D) factors it chose, with their fallback steps,
    and every deviation — the ``co2`` grid basis, a document's own grid factorId, a T&D factor missing."""
    rule = account_rule(PRODUCT_FOOTPRINT)
    applied: dict[tuple[str, str, str], RuleApplication] = {}
    for line in inv.lines:
        if line.rule is None or line.factor is None:
            continue
        use: Literal["grid", "transmission-distribution", "use-stage grid"] = (
            "transmission-distribution"
            if line.gec_kind == TD_KIND
            else "use-stage grid"
            if line.scenario is not None
            else "grid"
        )
        applied.setdefault(
            (line.path, use, line.factor.id),
            RuleApplication(
                path=line.path,
                use=use,
                rule=line.rule,
                factor_id=line.factor.id,
                factor_version=line.factor.version,
                fallbacks=[dict(s) for s in line.rule_steps],
                text=list(line.fallbacks),
            ),
        )
    deviations = list(inv.deviations)
    if options.grid_basis != "footprint":
        deviations.insert(
            0,
            {
                "code": "grid-basis-co2",
                "path": "options.gridBasis",
                "text": "computed on the MEE/NBS grid CO2 basis (combustion only, organisation accounting) at the "
                "caller's request, not with the carbon-footprint factors GB/T 24067-2024 prescribes: not a "
                "GB/T 24067 product footprint; transmission and distribution not added",
            },
        )
    return RuleUse(
        id=rule.id,
        title=rule.title,
        citations=[c.as_dict() for c in rule.citations],
        electricity=rule.electricity,
        check=rule.check,
        applied=sorted(applied.values(), key=lambda a: (a.path, _USE_ORDER.index(a.use), a.factor_id)),
        deviations=deviations,
        followed=not deviations,
    )
