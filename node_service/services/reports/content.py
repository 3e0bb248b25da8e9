"""The CFP study report's content (GB/T 24067-2024 clause 7 = ISO 14067:2018 clause 7) from a stored footprint.

Sections, in the order of the standard's list of what a CFP study report holds:
  (1) goal and scope: declared unit, system boundary and stages, cut-off and excluded share, allocation,
      time period, characterisation factors, data quality requirements;
  (2) life-cycle inventory: inputs with data source (primary/secondary) and the DQI;
  (3) results: total, fossil, biogenic emissions and removals, dLUC, aircraft; per gas; per stage; top
      contributors;
  (4) electricity location- vs market-based with the green-power claims and the residual-mix disclosure;
  (5) uncertainty; (6) GB/T 2589 energy per declared unit; (7) factor provenance; (8) limitations;
  (9) verification: the log entry and, when anchored, the receipt with the steps to check it.
Pure: no database, no PDF; every label comes from the catalogue in the requested language.
"""

from __future__ import annotations

from typing import Any

from footprint_engine.calculate import FootprintResult
from node_service.services.reports._verification import verification_section
from node_service.services.reports.factor_notes import factor_notes, rule_notes
from node_service.services.reports.glossary import fuel_name
from node_service.services.reports.messages import Catalogue, Lang
from node_service.services.reports.model import (
    BarChart,
    Block,
    Fields,
    Paragraph,
    ReportContent,
    ReportInput,
    Section,
    Steps,
    Subheading,
    Table,
)

__all__ = ["STAGES", "build_report_content", "fmt"]

STAGES = ("raw-material-acquisition", "production", "distribution", "use", "end-of-life")


def fmt(value: float | None, digits: int = 2) -> str:
    """Thousands-separated fixed point; tiny non-zero values in 3 significant digits; ``None`` → ``–``."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    if abs(value) < 0.5 * 10**-digits:
        return f"{value:.3g}"
    return f"{value:,.{digits}f}"


def _period(document: dict[str, Any], result: FootprintResult) -> tuple[str, str]:
    period = document.get("reportingPeriod") or {}
    start = str(period.get("start") or result.reporting_period_start.isoformat())
    end = str(period.get("end") or result.reporting_period_end.isoformat())
    return start, end


def _org_name(data: ReportInput, lang: Lang) -> str:
    names = data.organisation_name
    other: Lang = "en" if lang == "zh" else "zh"
    return names.get(lang) or names.get(other) or str(data.document.get("organisation", ""))


def _goal_and_scope(c: Catalogue, data: ReportInput, r: FootprintResult, product: str) -> Section:
    unit = r.declared_unit
    start, end = _period(data.document, r)
    excluded = [s for s in STAGES if s not in r.stages_included]
    cut = r.cut_off
    items = "; ".join(
        f"{e.get('description', '')} ({fmt(e.get('estimatedSharePercent'))}%)"
        for e in cut.get("exclusions", [])
    )
    alloc = r.allocation
    if alloc.get("basis") in (None, "none"):
        alloc_text = c.t("allocation_none")
    else:
        alloc_text = c.t(
            "allocation_text",
            basis=alloc.get("basis"),
            share=fmt(alloc.get("productSharePercent")),
            stages=", ".join(c.t(s) for s in alloc.get("appliedToStages", [])),
            rule=alloc.get("rule", ""),
        )
        if alloc.get("justification"):
            alloc_text += " " + c.t("allocation_justification", text=alloc["justification"])
    blocks: list[Block] = [
        Paragraph(c.t("goal_text", product=product, start=start, end=end, unit=unit)),
        Fields(
            (
                (c.t("unit_kind"), c.t("unit_text", unit=unit, produced=fmt(r.produced_quantity))),
                (c.t("geography"), r.geography),
                (c.t("system_boundary"), c.t(r.system_boundary)),
                (c.t("stages_included"), ", ".join(c.t(s) for s in r.stages_included)),
                (c.t("stages_excluded"), ", ".join(c.t(s) for s in excluded) or c.t("none")),
                (
                    c.t("cut_off"),
                    c.t(
                        "cut_off_text",
                        share=fmt(cut.get("excludedSharePercent", 0.0)),
                        items=items or c.t("none"),
                    ),
                ),
                (c.t("allocation"), alloc_text),
                (c.t("time_period"), f"{start} – {end}"),
                (c.t("gwp_set"), c.t("gwp_text", gwp=str(r.method.get("gwp", "")))),
                (c.t("calculation_method"), str(r.method.get("calculation", ""))),
                (c.t("data_quality_req"), c.t("data_quality_req_text")),
            )
        ),
    ]
    return Section(1, c.t("s_goal"), tuple(blocks))


def _inventory(c: Catalogue, r: FootprintResult) -> Section:
    rows = []
    for line in r.per_input:
        source = c.t(line.data_source)
        if line.upstream:
            source += " · " + c.t("upstream_note", ref=line.upstream)
        rows.append(
            (
                f"{line.input_id}: {line.description}",
                c.t(line.stage),
                f"{fmt(line.amount)} {line.unit}",
                source,
                fmt(line.kg_co2e),
                fmt(line.share_percent, 1),
            )
        )
    table = Table(
        header=(
            c.t("col_input"),
            c.t("col_stage"),
            c.t("col_amount"),
            c.t("col_source"),
            c.t("col_kgco2e"),
            c.t("col_share"),
        ),
        rows=tuple(rows),
        widths=(0.34, 0.13, 0.15, 0.16, 0.12, 0.10),
        numeric=frozenset({2, 4, 5}),
    )
    dqi = r.dqi
    note = c.t("score_note")
    fields = [
        (c.t("primary_data_share"), f"{fmt(r.primary_data_share, 1)}%"),
        (c.t("coverage"), f"{fmt(dqi.coverage_percent, 1)}%"),
        (c.t("technological"), f"{fmt(dqi.technological)} ({note})"),
        (c.t("temporal"), f"{fmt(dqi.temporal)}"),
        (c.t("geographical"), f"{fmt(dqi.geographical)}"),
        (c.t("reliability"), f"{fmt(dqi.reliability)}"),
        (c.t("completeness"), f"{fmt(dqi.completeness)}"),
    ]
    if r.upstream_footprints:
        fields.append((c.t("upstream_footprints"), ", ".join(r.upstream_footprints)))
    blocks: list[Block] = [
        Paragraph(c.t("inventory_intro")),
        table,
        Subheading(c.t("dqi")),
        Fields(tuple(fields)),
    ]
    return Section(2, c.t("s_inventory"), tuple(blocks))


def _results(c: Catalogue, r: FootprintResult) -> Section:
    e = r.emissions
    unit = r.declared_unit
    categories = Table(
        header=(c.t("col_category"), c.t("col_value", unit=unit)),
        rows=(
            (c.t("total"), fmt(e.total)),
            (c.t("fossil"), fmt(e.fossil)),
            (c.t("biogenic_emissions"), fmt(e.biogenic_emissions)),
            (c.t("biogenic_removals"), fmt(e.biogenic_removals)),
            (c.t("dluc"), fmt(e.dluc)),
            (c.t("aircraft"), fmt(e.aircraft)),
            (c.t("total_excl_removals"), fmt(e.total_excluding_biogenic_removals)),
        ),
        widths=(0.6, 0.4),
        numeric=frozenset({1}),
    )
    origin = {o: c.t(f"origin_{o}") for o in ("fossil", "biogenic", "biogenic-removal", "dluc", "aircraft")}
    gases = Table(
        header=(c.t("col_gas"), c.t("col_origin"), c.t("col_mass"), c.t("col_gwp"), c.t("col_kgco2e")),
        rows=tuple(
            (g.gas, origin.get(g.origin, g.origin), fmt(g.mass_kg, 3), fmt(g.gwp100, 0), fmt(g.kg_co2e))
            for g in r.per_gas
        ),
        widths=(0.18, 0.22, 0.2, 0.18, 0.22),
        numeric=frozenset({2, 3, 4}),
    )
    stages = [s for s in STAGES if s in r.stages_included or r.per_stage.get(s, 0.0) != 0.0]
    stage_table = Table(
        header=(c.t("col_stage"), c.t("col_value", unit=unit), c.t("col_share")),
        rows=tuple(
            (
                c.t(s),
                fmt(r.per_stage.get(s, 0.0)),
                fmt(100 * r.per_stage.get(s, 0.0) / e.total if e.total else 0.0, 1),
            )
            for s in stages
        ),
        widths=(0.5, 0.3, 0.2),
        numeric=frozenset({1, 2}),
    )
    by_id: dict[str, float] = {}
    share: dict[str, float] = {}
    descriptions: dict[str, list[str]] = {}
    for line in r.per_input:  # one input may be several lines (electricity: each claim and the grid rest)
        by_id[line.input_id] = by_id.get(line.input_id, 0.0) + line.kg_co2e
        share[line.input_id] = share.get(line.input_id, 0.0) + line.share_percent
        descriptions.setdefault(line.input_id, []).append(line.description)
    top = Table(
        header=("#", c.t("col_input"), c.t("col_kgco2e"), c.t("col_share")),
        rows=tuple(
            (
                str(i),
                f"{name}: {'; '.join(descriptions.get(name, []))}",
                fmt(by_id.get(name)),
                fmt(share.get(name), 1),
            )
            for i, name in enumerate(r.top_contributors, start=1)
        ),
        widths=(0.06, 0.58, 0.2, 0.16),
        numeric=frozenset({2, 3}),
    )
    blocks: list[Block] = [
        categories,
        Subheading(c.t("per_gas") + f" ({r.method.get('gwp', '')})"),
        gases,
        Paragraph(c.t("co2e_note"), "note"),
        Subheading(c.t("per_stage")),
        BarChart(
            labels=tuple(c.t(s) for s in stages),
            values=tuple(r.per_stage.get(s, 0.0) for s in stages),
            unit=f"kgCO2e / {unit}",
        ),
        stage_table,
        Subheading(c.t("top_contributors")),
        top,
    ]
    return Section(3, c.t("s_results"), tuple(blocks))


def _mwh(value: float) -> str:
    return f"{fmt(value, 3 if abs(value) < 100 else 1)} MWh"


def _electricity(c: Catalogue, r: FootprintResult) -> Section:
    el = r.electricity
    unit = r.declared_unit
    fields = Fields(
        (
            (c.t("consumed_mwh"), _mwh(el.consumed_mwh)),
            (c.t("gec_mwh"), _mwh(el.gec_mwh)),
            (c.t("contract_mwh"), _mwh(el.contract_mwh)),
            (c.t("grid_mwh"), _mwh(el.grid_mwh)),
            (c.t("location_based"), f"{fmt(el.location_based_kg_co2e)} kgCO2e / {unit}"),
            (c.t("market_based"), f"{fmt(el.market_based_kg_co2e)} kgCO2e / {unit}"),
            (c.t("total_location_based"), f"{fmt(el.total_location_based)} kgCO2e / {unit}"),
            (c.t("total_market_based"), f"{fmt(el.total_market_based)} kgCO2e / {unit}"),
        )
    )
    blocks: list[Block] = [fields, Subheading(c.t("claims"))]
    if el.claims:
        kinds = {"gec": c.t("claim_gec"), "contract": c.t("claim_contract")}
        blocks.append(
            Table(
                header=(c.t("col_claim_type"), c.t("col_reference"), "MWh", c.t("col_factor")),
                rows=tuple(
                    (
                        kinds.get(str(cl.get("type")), str(cl.get("type"))),
                        str(cl.get("reference", "")),
                        _mwh(float(cl.get("mwh", 0.0))).removesuffix(" MWh"),
                        str(cl.get("factorId", "")),
                    )
                    for cl in el.claims
                ),
                widths=(0.12, 0.33, 0.15, 0.40),
                numeric=frozenset({2}),
                mono=frozenset({1}),
            )
        )
    else:
        blocks.append(Paragraph(c.t("no_claims")))
    blocks.append(Paragraph(f"{c.t('residual_mix_label')}: {c.t('residual_mix_text')}", "warning"))
    return Section(4, c.t("s_electricity"), tuple(blocks))


def _uncertainty(c: Catalogue, r: FootprintResult) -> Section:
    u = r.uncertainty
    if u is None:
        return Section(5, c.t("s_uncertainty"), (Paragraph(c.t("uncertainty_none")),))
    unit = f"kgCO2e / {r.declared_unit}"
    fields = Fields(
        (
            (c.t("iterations"), str(u.iterations)),
            (c.t("seed"), str(u.seed)),
            (c.t("mean"), f"{fmt(u.mean)} {unit}"),
            (c.t("median"), f"{fmt(u.median)} {unit}"),
            (c.t("p2_5"), f"{fmt(u.p2_5)} {unit}"),
            (c.t("p97_5"), f"{fmt(u.p97_5)} {unit}"),
            (c.t("std"), f"{fmt(u.std)} {unit}"),
            (c.t("mc_method"), u.method),
        )
    )
    return Section(5, c.t("s_uncertainty"), (fields,))


def _energy(c: Catalogue, r: FootprintResult) -> Section:
    en = r.energy
    unit = r.declared_unit
    blocks: list[Block] = [
        Fields(((c.t("kgce"), c.t("kgce_value", value=fmt(en.kgce_per_declared_unit), unit=unit)),)),
        Table(
            header=(c.t("col_carrier"), c.t("col_kgce", unit=unit)),
            rows=tuple((_carrier(c, k), fmt(v)) for k, v in en.breakdown.items()),
            widths=(0.6, 0.4),
            numeric=frozenset({1}),
        ),
        Fields(
            (
                (c.t("electricity_conversion"), en.electricity_conversion),
                (c.t("energy_boundary"), en.boundary),
                (c.t("not_counted"), ", ".join(en.not_counted) or c.t("none")),
            )
        ),
    ]
    return Section(6, c.t("s_energy"), tuple(blocks))


def _carrier(c: Catalogue, key: str) -> str:
    kind, _, name = key.partition(":")
    if kind == "fuel" and name:
        return c.t("carrier_fuel", name=fuel_name(name, c.lang))
    if c.has(f"carrier_{key}"):
        return c.t(f"carrier_{key}")
    return key


def _factors(c: Catalogue, result: dict[str, Any]) -> Section:
    """Every factor with its name, id, version, source (CPCD code, transcription note), flags and the geography and
    year fallbacks in sentences (node_service.services.reports.factor_notes), then the account rule applied."""
    notes = factor_notes(result, c.lang)
    rows = []
    for f in notes:
        source = " · ".join((f.source, *f.notes))
        rows.append(
            (
                f"{f.name} · {f.id} · " + c.t("factor_version", version=f.version),
                source,
                f.year,
                f.geography,
                f.unit,
                ", ".join(f.used_by),
            )
        )
    table = Table(
        header=(
            c.t("col_factor"),
            c.t("col_source_text"),
            c.t("col_year"),
            c.t("col_geo"),
            c.t("col_unit"),
            c.t("col_used_by"),
        ),
        rows=tuple(rows),
        widths=(0.3, 0.3, 0.07, 0.09, 0.06, 0.18),
    )
    blocks: list[Block] = [table]
    fallbacks = [c.t("fallback_line", name=f.name, text=text) for f in notes for text in f.fallbacks]
    if fallbacks:
        blocks += [Subheading(c.t("fallbacks_heading")), Steps(tuple(fallbacks))]
    rules = rule_notes(result, c.lang)
    if rules:
        blocks += [Subheading(c.t("rules_heading")), Steps(tuple(rules))]
    return Section(7, c.t("s_factors"), tuple(blocks))


def _limitations(c: Catalogue, r: FootprintResult) -> Section:
    items: list[str] = []
    illustrative = sum(1 for f in r.factors if f.illustrative)
    if illustrative:
        items.append(c.t("lim_illustrative", n=illustrative))
    fallbacks = sum(1 for f in r.factors if f.fallbacks)
    if fallbacks:
        items.append(c.t("lim_fallback", n=fallbacks))
    excluded = float(r.cut_off.get("excludedSharePercent", 0.0) or 0.0)
    if excluded:
        items.append(c.t("lim_cut_off", share=fmt(excluded, 1)))
    secondary = 100.0 - r.primary_data_share
    if secondary > 0.05:
        items.append(c.t("lim_secondary", share=fmt(secondary, 1)))
    if r.system_boundary == "cradle-to-gate":
        items.append(c.t("lim_boundary"))
    if r.electricity.grid_mwh > 0 and (r.electricity.gec_mwh > 0 or r.electricity.contract_mwh > 0):
        items.append(c.t("lim_residual"))
    items.append(c.t("lim_energy"))
    if r.uncertainty is None:
        items.append(c.t("lim_uncertainty"))
    items.append(c.t("lim_iluc"))
    return Section(8, c.t("s_limitations"), (Steps(tuple(items)),))


def build_report_content(data: ReportInput, lang: Lang) -> ReportContent:
    """The study report of ``data`` in ``lang`` ("zh" or "en")."""
    c = Catalogue(lang)
    doc = data.document
    r = FootprintResult.model_validate(doc["result"])
    product = str(doc.get("productName") or r.product_name or r.product_identifier)
    unit = r.declared_unit
    start, end = _period(doc, r)
    engine = r.engine
    versions = ", ".join(f"{k} {v}" for k, v in (engine.get("versions") or {}).items())
    cover = Fields(
        (
            (c.t("product"), product),
            (c.t("product_id"), str(doc.get("productId") or r.product_identifier)),
            (c.t("footprint_version"), str(doc.get("version", "–"))),
            (c.t("organisation"), _org_name(data, lang)),
            (c.t("organisation_did"), str(doc.get("organisation", r.organisation))),
            (c.t("reporting_period"), f"{start} – {end}"),
            (c.t("declared_unit"), f"1 {unit}"),
            (c.t("footprint_id"), str(doc.get("id", "–"))),
            (c.t("submission_id"), str(doc.get("submissionId", "–"))),
            (c.t("computed_at"), str(doc.get("createdAt", "–"))),
            (c.t("generated_at"), data.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
            (c.t("engine"), f"{engine.get('name', '')} {engine.get('version', '')} ({versions})"),
        )
    )
    sections = (
        _goal_and_scope(c, data, r, product),
        _inventory(c, r),
        _results(c, r),
        _electricity(c, r),
        _uncertainty(c, r),
        _energy(c, r),
        _factors(c, doc["result"]),
        _limitations(c, r),
        verification_section(c, data),
    )
    return ReportContent(
        lang=lang,
        title=c.t("title"),
        subtitle=c.t("subtitle"),
        headline=c.t("headline", value=fmt(r.emissions.total), unit=unit),
        cover=cover,
        warning=c.t("illustrative_warning") if r.illustrative_factors_used else None,
        sections=sections,
        footer=f"{product} · {doc.get('id', '')}",
        page_label=c.t("page", n="{n}"),
        author=_org_name(data, lang),
        keywords=("GB/T 24067-2024", "ISO 14067:2018", "CFP", str(doc.get("productId", ""))),
    )
