"""Input models (pydantic v2) for an installation's CBAM data: production processes, attributed direct
emissions, electricity with its factor and source, precursors, produced goods, and the carbon price paid
in the country of production (user input only).

Types and ranges are checked here; rules that need the CBAM tables (scope, routes, mass balance, factor
sources) are checked by `footprint_engine.cbam.calculation.check_installation`, which raises the
package's own errors.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CarbonPricePaid",
    "ContactPerson",
    "DirectEmissionSource",
    "DirectLinkEvidence",
    "ElectricityUse",
    "GecClaim",
    "GridFactor",
    "Installation",
    "PfcSlopeMethod",
    "PowerPurchaseAgreement",
    "PrecursorInput",
    "ProducedGood",
    "ProductionProcess",
    "SupplierEmbeddedEmissions",
    "Verifier",
]

#: The communication template's own lists (sheet Parameters_Constants of the 2024-12-13 version).
DataQuality = Literal[
    "",
    "Mostly measurements & analyses",
    "Mostly measurements & national standard factors for e.g. the emission factor",
    "Mostly measurements & sector-specific standard factors for e.g. the emission factor",
    "Mostly measurements & international standard factors for e.g. the emission factor",
    "Mostly default values provided by the European Commission",
]
DefaultValueJustification = Literal[
    "", "Unreasonable costs for more accurate monitoring", "Data gaps", "Other"
]
QualityAssurance = Literal["", "Third-party verification", "Internal audits", "Four eyes principle", "None"]
InstrumentType = Literal[
    "Carbon Tax",
    "Carbon Levy",
    "Carbon Fee",
    "National Emissions Trading System",
    "Regional Emissions Trading System",
    "Combination",
    "Other",
]
RebateType = Literal[
    "None", "Free allocation", "Financial compensation", "Tax deduction", "Combination", "Other"
]
ReducingAgent = Literal["Coal or coke", "Natural gas", "Biogas", "Hydrogen"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GridFactor(_Model):
    """Grid-average emission factor of the country (or grid) of production, tCO2/MWh, with its source."""

    value: float = Field(ge=0, le=5)
    source: str = ""


class PfcSlopeMethod(_Model):
    """PFC emissions of primary aluminium by the slope method (Implementing Regulation (EU) 2023/1773
    Annex III section B.7; the communication template's sheet B_EmInst (b)):

        t CF4 = AD × anode-effect frequency × anode-effect duration × SEF(CF4) / 1000
        t C2F6 = t CF4 × F(C2F6)
        tCO2e = (t CF4 × GWP(CF4) + t C2F6 × GWP(C2F6)) / collection efficiency
    """

    technology: str = Field(min_length=1, max_length=200)
    primary_aluminium_t: float = Field(gt=0)
    anode_effect_frequency: float = Field(ge=0)  # anode effects per cell-day
    anode_effect_duration: float = Field(ge=0)  # minutes per anode effect
    sef_cf4: float = Field(ge=0)  # (kg CF4 / t Al) / (AE-minutes / cell-day)
    f_c2f6: float = Field(ge=0, le=1)  # t C2F6 per t CF4
    collection_efficiency: float = Field(gt=0, le=1)


class DirectEmissionSource(_Model):
    """One source stream or emission source of the installation and how it is attributed to processes.

    `kind`: fuel combustion, process emissions, PFC, measurable heat imported into / exported from the
    attributed processes (exports are subtracted). Give `tco2e` directly, or `activity_data` ×
    `emission_factor` (e.g. TJ × tCO2/TJ, t × tCO2/t) with `factor_source`; PFC by the slope method
    with `pfc_slope` (the communication template computes PFC emissions only that way or by overvoltage).
    """

    source_id: str = Field(min_length=1, max_length=200)
    kind: Literal["fuel", "process", "pfc", "heat_imported", "heat_exported"]
    description: str = ""
    tco2e: float | None = Field(default=None, ge=0)
    activity_data: float | None = Field(default=None, ge=0)
    activity_unit: str = ""
    emission_factor: float | None = Field(default=None, ge=0)
    factor_source: str = ""
    pfc_slope: PfcSlopeMethod | None = None
    #: process id → fraction of this source attributed to that process (fractions sum to 1).
    attribution: dict[str, float] = Field(min_length=1)


class GecClaim(_Model):
    """Green electricity certificates (GEC / 绿证) held for some of the electricity: recorded, not used."""

    mwh: float = Field(ge=0)
    serials: list[str] = Field(default_factory=list, max_length=100_000)


class PowerPurchaseAgreement(_Model):
    """A contract to buy electricity directly from a producer (Regulation (EU) 2023/956 Annex IV 1(f))."""

    contract_id: str = Field(min_length=1)
    producer: str = Field(min_length=1)
    contracted_mwh: float = Field(ge=0)
    period_start: date
    period_end: date


class DirectLinkEvidence(_Model):
    """A direct technical link between the generating unit and the installation (e.g. a private line)."""

    generator: str = Field(min_length=1)
    meter_id: str = Field(min_length=1)
    description: str = ""


class ElectricityUse(_Model):
    """Electricity consumed by a production process.

    `basis` says where the claimed factor comes from: the grid average (default), a direct technical
    link, or a power purchase agreement; for the latter two give the generator's `emission_factor`
    (tCO2/MWh) with its `factor_source` and the evidence. A `gec` claim is recorded but never changes
    the CBAM factor.
    """

    mwh: float = Field(ge=0)
    basis: Literal["grid", "direct_technical_link", "power_purchase_agreement"] = "grid"
    emission_factor: float | None = Field(default=None, ge=0, le=5)
    factor_source: str = ""
    ppa: PowerPurchaseAgreement | None = None
    direct_link: DirectLinkEvidence | None = None
    gec: GecClaim | None = None


class SupplierEmbeddedEmissions(_Model):
    """Actual specific embedded emissions a supplier published (e.g. on this exchange), tCO2e/t."""

    see_direct: float = Field(ge=0)
    see_indirect: float = Field(default=0.0, ge=0)
    source: str = Field(min_length=1)
    receipt: dict[str, Any] | None = None
    #: what SEE (indirect) is made of, when the supplier says: MWh per tonne × tCO2/MWh.
    electricity_mwh_per_t: float | None = Field(default=None, ge=0)
    electricity_factor: float | None = Field(default=None, ge=0, le=5)


class PrecursorInput(_Model):
    """A relevant precursor consumed by a process: produced in-house (`from_process`), bought with the
    supplier's actual data (`supplier_data`), or else valued at the Commission default for
    `country_of_origin`."""

    precursor_id: str = Field(min_length=1, max_length=200)
    cn_code: str
    mass_t: float = Field(ge=0)
    production_route: str | None = None
    from_process: str | None = None
    supplier_data: SupplierEmbeddedEmissions | None = None
    country_of_origin: str = Field(default="CN", min_length=2, max_length=2)


class ProducedGood(_Model):
    """A good produced by a process, per CN code (or TARIC key), with its activity level in tonnes."""

    good_id: str = Field(min_length=1, max_length=200)
    cn_code: str
    product_name: str = ""
    production_route: str | None = None
    activity_level_t: float = Field(gt=0)
    #: tonnes shipped to the EU importer; the default comparison uses it (activity level when absent).
    quantity_to_eu_t: float | None = Field(default=None, ge=0)
    #: the template's qualifying parameters (Summary_Products), by the template's column header,
    #: e.g. {"% Mn": 0.2, "Clinker factor": 0.86}; relevant ones not given are written as 0 (percentages,
    #: scrap) or computed (clinker factor of cement from its clinker precursors).
    qualifying_parameters: dict[str, float] = Field(default_factory=dict, max_length=20)
    reducing_agent: ReducingAgent | None = None
    steel_mill_id: str = Field(default="", max_length=256)


class CarbonPricePaid(_Model):
    """Carbon price paid in the country of production, entirely from the user's inputs.

    Columns of the communication template: share of embedded emissions covered by the price, price per
    tCO2e in `currency`, share covered by the rebate (free allocation), optional EUR exchange rate.
    """

    instrument_type: InstrumentType
    legal_act: str = Field(default="", max_length=512)
    currency: str = Field(default="CNY", min_length=3, max_length=3)
    price_per_tco2e: float = Field(ge=0)
    share_covered: float = Field(ge=0, le=1)
    rebate_type: RebateType = "Free allocation"
    rebate_share: float = Field(default=0.0, ge=0, le=1)
    eur_per_currency_unit: float | None = Field(default=None, gt=0)


class ProductionProcess(_Model):
    process_id: str = Field(min_length=1, max_length=200)
    name: str = ""
    electricity: list[ElectricityUse] = Field(default_factory=list, max_length=10_000)
    precursors: list[PrecursorInput] = Field(default_factory=list, max_length=10_000)
    goods: list[ProducedGood] = Field(min_length=1, max_length=100_000)
    carbon_price: CarbonPricePaid | None = None


class ContactPerson(_Model):
    """The installation's authorised representative (template A_InstData 2 xii-xiv; XML ContactDetails)."""

    name: str = Field(min_length=1, max_length=70)
    email: str = Field(min_length=3, max_length=256, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str = Field(min_length=1, max_length=35)


class Verifier(_Model):
    """The verifier of the installation's data (template A_InstData section 3)."""

    company_name: str = Field(min_length=1, max_length=200)
    street: str = ""
    city: str = ""
    postcode: str = ""
    country: str = Field(default="CN", min_length=2, max_length=2)
    representative: ContactPerson | None = None
    accreditation_member_state: str = ""
    accreditation_body: str = ""
    registration_number: str = ""


class Installation(_Model):
    installation_id: str = Field(min_length=1, max_length=17)
    name: str = Field(min_length=1, max_length=256)
    name_local: str = Field(default="", max_length=256)
    #: the operator's identifier as the importer's registry knows it (XML OperatorId, at most 17
    #: characters: an 18-character unified social credit code does not fit — give it in operator_name).
    operator_id: str = Field(default="", max_length=17)
    operator_name: str = Field(default="", max_length=70)
    street: str = Field(default="", max_length=70)
    city: str = Field(default="", max_length=35)
    postcode: str = Field(default="", max_length=17)
    po_box: str = Field(default="", max_length=70)
    economic_activity: str = Field(default="", max_length=256)
    country: str = Field(default="CN", min_length=2, max_length=2)
    unlocode: str = Field(default="", max_length=17)
    contact: ContactPerson | None = None
    verifier: Verifier | None = None
    verified: bool = False
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    reporting_period_start: date
    reporting_period_end: date
    processes: list[ProductionProcess] = Field(min_length=1, max_length=10_000)
    direct_emissions: list[DirectEmissionSource] = Field(default_factory=list, max_length=100_000)
    grid_factor: GridFactor | None = None
    #: precursor mass may exceed product mass by this fraction (yield losses) before it is refused.
    precursor_mass_tolerance: float = Field(default=0.15, ge=0, le=10)
    carbon_price: CarbonPricePaid | None = None
    data_quality: DataQuality = ""
    default_value_justification: DefaultValueJustification = ""
    quality_assurance: QualityAssurance = ""
