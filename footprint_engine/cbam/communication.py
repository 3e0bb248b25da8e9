"""Assemble the emissions communication: SEE per good, what counts in the definitive period, the
comparison with marked-up default values (tonnes and euros at the user's certificate price), the carbon
price paid (user input only), and the receipts of the data behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from footprint_engine.cbam.calculation import (
    SEE_DECIMALS,
    ProcessPlan,
    calculate_processes,
    check_installation,
    source_tco2e,
)
from footprint_engine.cbam.defaults import DefaultTable, bundled_default_table
from footprint_engine.cbam.electricity import ELECTRICITY_RULE, ELECTRICITY_RULE_SOURCE
from footprint_engine.cbam.errors import CbamInputError, DefaultValueNotFoundError
from footprint_engine.cbam.model import CarbonPricePaid, Installation, PrecursorInput, ProducedGood
from footprint_engine.cbam.results import (
    CarbonPriceResult,
    Communication,
    DefaultComparison,
    EmissionSourceLine,
    GoodResult,
    InstallationSummary,
    ProcessResult,
)
from footprint_engine.cbam.scope import classify_good

__all__ = ["METHOD", "QUALIFYING_PARAMETERS", "build_communication", "verification_statement"]

METHOD = (
    "SEE = (attributed emissions of the production process + embedded emissions of relevant precursors) / "
    "activity level, direct and indirect separately (Regulation (EU) 2023/956 Annex IV points 2-3; "
    "Implementing Regulation (EU) 2023/1773 Annex III sections F-G); rounded to 5 decimals. Precursors: "
    "in-house process, else the supplier's published actual data, else the Commission default for the "
    "country of origin without mark-up. Counted emissions in the definitive period: direct, plus indirect "
    "for cement and fertilisers (Regulation (EU) 2023/956 Annex II as amended)."
)
_MAX_RECEIPTS = 100_000


def _carbon_price(price: CarbonPricePaid | None, see_total: float) -> CarbonPriceResult | None:
    if price is None:
        return None
    covered = price.share_covered * see_total
    due = covered * price.price_per_tco2e
    rebate_covered = price.rebate_share * see_total
    rebate_amount = rebate_covered * price.price_per_tco2e
    effective = max(due - rebate_amount, 0.0)
    return CarbonPriceResult(
        instrument_type=price.instrument_type,
        legal_act=price.legal_act,
        currency=price.currency,
        share_covered=price.share_covered,
        covered_per_t=round(covered, SEE_DECIMALS),
        price_due_per_t=round(due, 4),
        rebate_type=price.rebate_type,
        rebate_share=price.rebate_share,
        rebate_covered_per_t=round(rebate_covered, SEE_DECIMALS),
        rebate_amount_per_t=round(rebate_amount, 4),
        effective_price_per_t=round(effective, 4),
        effective_price_per_t_eur=(
            None if price.eur_per_currency_unit is None else round(effective * price.eur_per_currency_unit, 4)
        ),
        eur_per_currency_unit=price.eur_per_currency_unit,
    )


#: Qualifying parameters the communication template asks for, per its goods category (sheet
#: Parameters_Constants rows 110-127); numeric ones not given are written as 0, the clinker factor of
#: cement is computed from its clinker precursors.
QUALIFYING_PARAMETERS: dict[str, tuple[str, ...]] = {
    "Cement": ("Clinker factor",),
    "Iron or steel products": ("% Mn", "% Cr", "% Ni", "% other alloys", "% other materials"),
    "Crude steel": ("% Mn", "% Cr", "% Ni", "% other alloys", "t scrap per t steel", "% pre-consumer scrap"),
    "DRI": ("% Mn", "% Cr", "% Ni", "% other alloys"),
    "Pig iron": ("% Mn", "% Cr", "% Ni", "% other alloys"),
    "FeMn": ("% Mn", "% Cr", "% Ni", "% carbon"),
    "FeCr": ("% Mn", "% Cr", "% Ni", "% carbon"),
    "FeNi": ("% Mn", "% Cr", "% Ni", "% carbon"),
    "Ammonia": ("Concentration, if hydrous solution",),
    "Nitric acid": ("% nitric acid",),
    "Urea": ("% urea", "% N contained"),
    "Mixed fertilisers": (
        "% N as ammonium (NH4+)",
        "% N as nitrate (NO3–)",
        "% N as Urea",
        "% N in other (organic) forms",
    ),
    "Aluminium products": ("t scrap per t aluminium", "% non-aluminium elements", "% pre-consumer scrap"),
    "Unwrought aluminium": ("t scrap per t aluminium", "% non-aluminium elements", "% pre-consumer scrap"),
}


def _qualifying_parameters(
    good: ProducedGood, plan: ProcessPlan, precursors: Sequence[PrecursorInput]
) -> dict[str, float]:
    wanted = QUALIFYING_PARAMETERS.get(plan.category, ())
    unknown = sorted(set(good.qualifying_parameters) - set(wanted))
    if unknown:
        raise CbamInputError(
            f"good {good.good_id!r}: qualifying parameter {unknown[0]!r} is not one the template asks for "
            f"{plan.category!r} — use one of: {', '.join(wanted) or 'none'}"
        )
    values: dict[str, float] = {}
    for name in wanted:
        if name in good.qualifying_parameters:
            values[name] = good.qualifying_parameters[name]
        elif name == "Clinker factor":
            activity = sum(g.activity_level_t for g in plan.process.goods)
            clinker = sum(
                p.mass_t
                for p in precursors
                if classify_good(p.cn_code).aggregated_goods_category == "Cement clinker"
            )
            values[name] = round(clinker / activity, 4)
        else:
            values[name] = 0.0
    return values


def _comparison(
    good: ProducedGood,
    plan: ProcessPlan,
    code: str,
    see_counted: float,
    indirect_counts: bool,
    *,
    country: str,
    year: int,
    certificate_price_eur: float,
    table: DefaultTable,
) -> DefaultComparison:
    route_code = plan.route.default_route_code if plan.route else None
    default = table.default_value(country, code, route_code or None)
    markup = table.markup(plan.sector, year)
    counted = default.direct + ((default.indirect or 0.0) if indirect_counts else 0.0)
    default_counted = round(counted * (1 + markup), SEE_DECIMALS)
    per_t = round(default_counted - see_counted, SEE_DECIMALS)
    quantity = good.activity_level_t if good.quantity_to_eu_t is None else good.quantity_to_eu_t
    diff_t = round(per_t * quantity, SEE_DECIMALS)
    return DefaultComparison(
        default_key=default.key,
        default_direct=default.direct,
        default_indirect=default.indirect,
        markup=markup,
        markup_year=year,
        default_counted_per_t=default_counted,
        actual_counted_per_t=see_counted,
        difference_per_t=per_t,
        quantity_t=quantity,
        difference_t=diff_t,
        certificate_price_eur=certificate_price_eur,
        difference_eur=round(diff_t * certificate_price_eur, 2),
        source=default.source,
        markup_source=table.markup_source(),
    )


def build_communication(
    installation: Installation,
    *,
    period: int,
    certificate_price_eur: float | None = None,
    receipts: Sequence[dict[str, Any]] = (),
    table: DefaultTable | None = None,
) -> Communication:
    """Compute the communication for one installation and reporting year.

    `certificate_price_eur`: CBAM certificate price for the euro difference (no comparison in euros
    when None). `receipts`: opaque receipt dicts of the data behind the figures (entry id, leaf index,
    tree size, root, transaction hash …); precursor receipts published by suppliers are appended.
    `table`: default-value table (the bundled China table when None).
    """
    if not 2023 <= period <= 2100:
        raise CbamInputError(f"period {period} out of range — give the calendar year, e.g. 2026")
    if certificate_price_eur is not None and certificate_price_eur < 0:
        raise CbamInputError(f"certificate price {certificate_price_eur} EUR is negative — give a price >= 0")
    if len(receipts) > _MAX_RECEIPTS:
        raise CbamInputError(f"too many receipts: got {len(receipts)}, want at most {_MAX_RECEIPTS}")
    for i, receipt in enumerate(receipts):
        if not isinstance(receipt, dict):
            raise CbamInputError(f"receipts[{i}] is {type(receipt).__name__}, want a JSON object (dict)")
    table = bundled_default_table() if table is None else table
    plans = {p.process.process_id: p for p in check_installation(installation)}
    processes = calculate_processes(installation, table)
    by_id: dict[str, ProcessResult] = {p.process_id: p for p in processes}
    all_receipts = [dict(r) for r in receipts]
    goods: list[GoodResult] = []
    for process in installation.processes:
        plan, result = plans[process.process_id], by_id[process.process_id]
        indirect_counts = table.indirect_counts(plan.sector)
        see_counted = round(
            result.see_direct + (result.see_indirect if indirect_counts else 0.0), SEE_DECIMALS
        )
        factor = result.attributed_indirect_tco2e / result.electricity_mwh if result.electricity_mwh else None
        factor_sources = "; ".join(sorted({line.factor_source for line in result.electricity}))
        for pre in process.precursors:
            if pre.supplier_data is not None and pre.supplier_data.receipt is not None:
                all_receipts.append(dict(pre.supplier_data.receipt))
        price = process.carbon_price or installation.carbon_price
        for good, scope in zip(process.goods, plan.good_scopes, strict=True):
            notes: list[str] = []
            comparison = None
            if certificate_price_eur is not None:
                try:
                    comparison = _comparison(
                        good,
                        plan,
                        scope.cn_code,
                        see_counted,
                        indirect_counts,
                        country=installation.country,
                        year=period,
                        certificate_price_eur=certificate_price_eur,
                        table=table,
                    )
                except DefaultValueNotFoundError as exc:
                    notes.append(f"no default comparison: {exc}")
            if not indirect_counts:
                notes.append(
                    f"indirect emissions reported but not counted for {plan.sector} in the definitive period "
                    f"({table.indirect_counts_source(plan.sector)})"
                )
            notes.extend(
                f"electricity: {line.reason}"
                for line in result.electricity
                if line.reason != "grid average (default)"
            )
            goods.append(
                GoodResult(
                    good_id=good.good_id,
                    process_id=process.process_id,
                    cn_code=scope.cn_code,
                    cn_name=scope.description,
                    product_name=good.product_name,
                    sector=plan.sector,
                    aggregated_goods_category=plan.category,
                    production_route=plan.route.route if plan.route else None,
                    default_route_code=(plan.route.default_route_code or None) if plan.route else None,
                    activity_level_t=good.activity_level_t,
                    see_direct=result.see_direct,
                    see_indirect=result.see_indirect,
                    see_total=result.see_total,
                    indirect_counts=indirect_counts,
                    see_counted=see_counted,
                    embedded_electricity_mwh_per_t=round(
                        result.electricity_mwh / result.activity_level_t, SEE_DECIMALS
                    ),
                    electricity_factor_tco2_per_mwh=None if factor is None else round(factor, SEE_DECIMALS),
                    electricity_factor_source=factor_sources,
                    default_share=result.default_share,
                    default_comparison=comparison,
                    carbon_price=_carbon_price(price, result.see_total),
                    qualifying_parameters=_qualifying_parameters(good, plan, process.precursors),
                    reducing_agent=good.reducing_agent,
                    steel_mill_id=good.steel_mill_id,
                    notes=notes,
                )
            )
    sources = [
        EmissionSourceLine(
            source_id=s.source_id,
            kind=s.kind,
            description=s.description,
            tco2e=source_tco2e(s),
            activity_data=s.activity_data,
            activity_unit=s.activity_unit,
            emission_factor=s.emission_factor,
            factor_source=s.factor_source,
            pfc_slope=s.pfc_slope,
            attribution=dict(s.attribution),
        )
        for s in installation.direct_emissions
    ]
    excl_pfc = sum(s.tco2e for s in sources if s.kind in ("fuel", "process"))
    pfc = sum(s.tco2e for s in sources if s.kind == "pfc")
    summary = InstallationSummary(
        installation_id=installation.installation_id,
        name=installation.name,
        name_local=installation.name_local,
        operator_id=installation.operator_id,
        operator_name=installation.operator_name,
        street=installation.street,
        city=installation.city,
        postcode=installation.postcode,
        po_box=installation.po_box,
        economic_activity=installation.economic_activity,
        country=installation.country,
        unlocode=installation.unlocode,
        contact=installation.contact,
        verifier=installation.verifier,
        verified=installation.verified,
        latitude=installation.latitude,
        longitude=installation.longitude,
        reporting_period_start=installation.reporting_period_start,
        reporting_period_end=installation.reporting_period_end,
        total_direct_excl_pfc_tco2e=round(excl_pfc, SEE_DECIMALS),
        total_pfc_tco2e=round(pfc, SEE_DECIMALS),
        total_direct_tco2e=round(excl_pfc + pfc, SEE_DECIMALS),
        total_indirect_tco2e=round(sum(p.attributed_indirect_tco2e for p in processes), SEE_DECIMALS),
        data_quality=installation.data_quality,
        default_value_justification=installation.default_value_justification,
        quality_assurance=installation.quality_assurance,
    )
    return Communication(
        period=period,
        installation=summary,
        emission_sources=sources,
        processes=processes,
        goods=goods,
        electricity_rule=ELECTRICITY_RULE,
        electricity_rule_source=ELECTRICITY_RULE_SOURCE,
        indirect_rule_source="Regulation (EU) 2023/956 Annex II as amended (cement and fertilisers count indirect)",
        default_table=table.origin,
        certificate_price_eur=certificate_price_eur,
        receipts=all_receipts,
        method=METHOD,
    )


def verification_statement(c: Communication) -> str:
    """Whether the data were verified, and by whom — written into the communication's remarks."""
    inst = c.installation
    v = inst.verifier
    if inst.verified and v is not None:
        accreditation = ", ".join(
            x for x in (v.accreditation_body, v.accreditation_member_state, v.registration_number) if x
        )
        return f"Data verified by {v.company_name}" + (
            f" (accreditation: {accreditation})" if accreditation else ""
        )
    return "Data not verified by an accredited verifier"
