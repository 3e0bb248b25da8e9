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
    "DirectEmissionSource",
    "DirectLinkEvidence",
    "ElectricityUse",
    "GecClaim",
    "GridFactor",
    "Installation",
    "PowerPurchaseAgreement",
    "PrecursorInput",
    "ProducedGood",
    "ProductionProcess",
    "SupplierEmbeddedEmissions",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GridFactor(_Model):
    """Grid-average emission factor of the country (or grid) of production, tCO2/MWh, with its source."""

    value: float = Field(ge=0, le=5)
    source: str = ""


class DirectEmissionSource(_Model):
    """One source stream or emission source of the installation and how it is attributed to processes.

    `kind`: fuel combustion, process emissions, PFC, measurable heat imported into / exported from the
    attributed processes (exports are subtracted). Give `tco2e` directly, or `activity_data` ×
    `emission_factor` (e.g. TJ × tCO2/TJ) with `factor_source`.
    """

    source_id: str = Field(min_length=1, max_length=200)
    kind: Literal["fuel", "process", "pfc", "heat_imported", "heat_exported"]
    description: str = ""
    tco2e: float | None = Field(default=None, ge=0)
    activity_data: float | None = Field(default=None, ge=0)
    activity_unit: str = ""
    emission_factor: float | None = Field(default=None, ge=0)
    factor_source: str = ""
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


class CarbonPricePaid(_Model):
    """Carbon price paid in the country of production, entirely from the user's inputs.

    Columns of the communication template: share of embedded emissions covered by the price, price per
    tCO2e in `currency`, share covered by the rebate (free allocation), optional EUR exchange rate.
    """

    instrument_type: str = Field(min_length=1)
    legal_act: str = ""
    currency: str = Field(default="CNY", min_length=3, max_length=3)
    price_per_tco2e: float = Field(ge=0)
    share_covered: float = Field(ge=0, le=1)
    rebate_type: str = "free allocation"
    rebate_share: float = Field(default=0.0, ge=0, le=1)
    eur_per_currency_unit: float | None = Field(default=None, gt=0)


class ProductionProcess(_Model):
    process_id: str = Field(min_length=1, max_length=200)
    name: str = ""
    electricity: list[ElectricityUse] = Field(default_factory=list, max_length=10_000)
    precursors: list[PrecursorInput] = Field(default_factory=list, max_length=10_000)
    goods: list[ProducedGood] = Field(min_length=1, max_length=100_000)
    carbon_price: CarbonPricePaid | None = None


class Installation(_Model):
    installation_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1)
    operator_name: str = ""
    street: str = ""
    economic_activity: str = ""
    country: str = Field(default="CN", min_length=2, max_length=2)
    unlocode: str = ""
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
    data_quality: str = ""
    default_value_justification: str = ""
    quality_assurance: str = ""
