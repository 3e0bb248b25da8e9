"""Result models: specific embedded emissions per good, the comparison with default values, the carbon
price paid, and the communication that carries them with the receipts of the data behind them."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from footprint_engine.cbam.model import ContactPerson, PfcSlopeMethod, Verifier

__all__ = [
    "CarbonPriceResult",
    "Communication",
    "DefaultComparison",
    "ElectricityLine",
    "EmissionSourceLine",
    "GoodResult",
    "InstallationSummary",
    "PrecursorContribution",
    "ProcessResult",
]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class ElectricityLine(_Result):
    mwh: float
    factor_tco2_per_mwh: float
    factor_source: str
    basis: str
    reason: str
    tco2e: float


class EmissionSourceLine(_Result):
    """One source stream of the installation as given, with its emissions (template sheet B_EmInst)."""

    source_id: str
    kind: str
    description: str
    tco2e: float
    activity_data: float | None
    activity_unit: str
    emission_factor: float | None
    factor_source: str
    pfc_slope: PfcSlopeMethod | None
    attribution: dict[str, float]


class PrecursorContribution(_Result):
    precursor_id: str
    cn_code: str
    aggregated_goods_category: str
    production_route: str | None
    country_of_origin: str
    from_process: str | None
    electricity_mwh_per_t: float | None
    electricity_factor: float | None
    mass_t: float
    see_direct: float
    see_indirect: float
    determination: str  # "own_process", "actual_supplier", "default"
    source: str
    embedded_direct_tco2e: float
    embedded_indirect_tco2e: float


class ProcessResult(_Result):
    process_id: str
    name: str
    aggregated_goods_category: str
    production_route: str | None
    activity_level_t: float
    attributed_direct_tco2e: float
    attributed_indirect_tco2e: float
    precursors_direct_tco2e: float
    precursors_indirect_tco2e: float
    electricity_mwh: float
    electricity: list[ElectricityLine]
    precursors: list[PrecursorContribution]
    see_direct: float
    see_indirect: float
    see_total: float
    default_share: float


class DefaultComparison(_Result):
    default_key: str
    default_direct: float
    default_indirect: float | None
    markup: float
    markup_year: int
    default_counted_per_t: float  # marked-up default of the emissions that count, tCO2e/t
    actual_counted_per_t: float
    difference_per_t: float  # default − actual (positive: actual data saves)
    quantity_t: float
    difference_t: float
    certificate_price_eur: float
    difference_eur: float
    source: str
    markup_source: str


class CarbonPriceResult(_Result):
    instrument_type: str
    legal_act: str
    currency: str
    share_covered: float
    covered_per_t: float
    price_due_per_t: float
    rebate_type: str
    rebate_share: float
    rebate_covered_per_t: float
    rebate_amount_per_t: float
    effective_price_per_t: float
    effective_price_per_t_eur: float | None
    eur_per_currency_unit: float | None


class GoodResult(_Result):
    good_id: str
    process_id: str
    cn_code: str
    cn_name: str
    product_name: str
    sector: str
    aggregated_goods_category: str
    production_route: str | None
    default_route_code: str | None
    activity_level_t: float
    see_direct: float
    see_indirect: float
    see_total: float
    indirect_counts: bool
    see_counted: float  # direct, plus indirect where the definitive period counts it
    embedded_electricity_mwh_per_t: float
    electricity_factor_tco2_per_mwh: float | None
    electricity_factor_source: str
    default_share: float
    default_comparison: DefaultComparison | None
    carbon_price: CarbonPriceResult | None
    qualifying_parameters: dict[str, float]
    reducing_agent: str | None
    steel_mill_id: str
    notes: list[str]


class InstallationSummary(_Result):
    installation_id: str
    name: str
    name_local: str
    operator_id: str
    operator_name: str
    street: str
    city: str
    postcode: str
    po_box: str
    economic_activity: str
    country: str
    unlocode: str
    contact: ContactPerson | None
    verifier: Verifier | None
    verified: bool
    latitude: float | None
    longitude: float | None
    reporting_period_start: date
    reporting_period_end: date
    #: installation level (template C_Emissions&Energy): source streams excluding PFC, PFC, their sum
    #: (measurable heat imported or exported is not an emission of the installation), electricity.
    total_direct_excl_pfc_tco2e: float
    total_pfc_tco2e: float
    total_direct_tco2e: float
    total_indirect_tco2e: float
    data_quality: str
    default_value_justification: str
    quality_assurance: str


class Communication(_Result):
    """What the exporter sends its EU importer: one installation, one period, SEE per good."""

    communication_version: int = 1
    period: int
    installation: InstallationSummary
    emission_sources: list[EmissionSourceLine]
    processes: list[ProcessResult]
    goods: list[GoodResult]
    electricity_rule: str
    electricity_rule_source: str
    indirect_rule_source: str
    default_table: str
    certificate_price_eur: float | None
    receipts: list[dict[str, Any]]
    method: str
