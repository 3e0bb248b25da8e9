"""The inputs of the activity-data document (schema version 1): ``inputs.materials``, ``inputs.fuels``,
``inputs.electricity`` (with its green-power claims) and the other lists of :class:`Inputs`.

Each input checks its own fields (amount, unit dimension, whole GEC MWh); the rules that involve the rest of
the document are in :mod:`footprint_engine.greenpower` and :mod:`footprint_engine.activity`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator
from pydantic.alias_generators import to_camel

from footprint_engine.activity_base import (
    Amount,
    BaseInput,
    Cid,
    DataQuality,
    DataSource,
    DocumentModel,
    Gas,
    InputId,
    Origin,
    Quantity,
    Stage,
    Uncertainty,
)
from footprint_engine.units import check_unit, conversion_factor

__all__ = [
    "FUEL_UNIT_DIMENSIONS",
    "INPUT_LISTS",
    "MAX_BUNDLED_GECS",
    "ContractClaim",
    "ElectricityInput",
    "FuelInput",
    "GecCancellation",
    "GecClaim",
    "GreenPowerClaim",
    "HeatInput",
    "Inputs",
    "MaterialInput",
    "PackagingInput",
    "ProcessEmission",
    "TransportLeg",
    "UpstreamReference",
    "WasteInput",
]

#: Fuel amounts may be a mass or volume, or an energy converted through the net calorific value.
FUEL_UNIT_DIMENSIONS: tuple[str, ...] = ("mass", "volume", "energy", "coal-equivalent")


class UpstreamReference(DocumentModel):
    """A published footprint of another product, used as primary data."""

    identifier: str = Field(min_length=1)
    version: int = Field(ge=1)


class MaterialInput(BaseInput):
    identifier: str = Field(min_length=1, description="IDIS handle, GTIN or URN of the material.")
    stage: Stage = "raw-material-acquisition"
    upstream_footprint: UpstreamReference | None = None
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = (
        "mass",
        "volume",
        "count",
        "energy",
        "length",
        "area",
    )


class PackagingInput(BaseInput):
    material: str = Field(min_length=1, description="Packaging material identifier or factor key.")
    stage: Stage = "raw-material-acquisition"
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = (
        "mass",
        "count",
    )


class FuelInput(BaseInput):
    """A fuel burnt on site: mass or volume, or energy (GJ, MJ, kWh, TJ, tce …) converted through the
    factor's net calorific value (GB/T 2589-2020 for ``cn-default``, IPCC 2006 for ``ipcc-2006``)."""

    fuel: str = Field(min_length=1, description="Fuel key, e.g. natural_gas, diesel, raw_coal.")
    stage: Stage = "production"
    method: Literal["cn-default", "ipcc-2006"] = "cn-default"
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = FUEL_UNIT_DIMENSIONS


class GecCancellation(DocumentModel):
    claimant: str = Field(min_length=1, description="Organisation id the GEC was cancelled for.")
    date: date


class GecClaim(DocumentModel):
    """Green electricity certificates (绿证) under one serial: 1 GEC = 1 MWh."""

    type: Literal["gec"] = "gec"
    serial: str = Field(min_length=1)
    quantity_mwh: Amount = Field(
        alias="quantityMWh", description="MWh claimed under this serial (whole certificates)."
    )
    generation_type: str = Field(min_length=1, description="wind, pv, hydro, biomass, …")
    production_date: date
    cancellation: GecCancellation | None = None
    evidence: list[Cid] = Field(default_factory=list)

    @field_validator("quantity_mwh")
    @classmethod
    def one_gec_is_one_mwh(cls, value: float) -> float:
        if value < 1 or abs(value - round(value)) > 1e-9:
            raise ValueError(f"{value} MWh is not a whole number of certificates — 1 GEC = 1 MWh")
        return value


#: Most GEC serials one contract claim may list in ``bundledGecSerials``.
MAX_BUNDLED_GECS = 1000


class ContractClaim(DocumentModel):
    """A green-power trading contract (绿电交易) delivering MWh in a delivery window inside the reporting period.

    Green-power trading comes with its certificates: ``bundledGecSerials`` lists them, so that they are claimed
    with the contract (once across the exchange) and never again on their own; the MWh is the contract's
    ``quantityMWh``, counted once."""

    type: Literal["green-power-contract"] = "green-power-contract"
    contract_id: str = Field(min_length=1)
    quantity_mwh: Amount = Field(
        alias="quantityMWh",
        description="MWh delivered under the contract inside the reporting period and claimed.",
    )
    generation_type: str = Field(min_length=1)
    delivery_start: date = Field(
        description="First day of the delivery claimed; inside the reporting period."
    )
    delivery_end: date = Field(description="Last day of the delivery claimed; inside the reporting period.")
    delivery: Literal["grid", "direct-line"] = Field(
        default="grid",
        description="'grid': delivered over the public grid (transmission and distribution counted in a product "
        "footprint); 'direct-line': a direct line from the generator (绿电直连).",
    )
    bundled_gec_serials: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list,
        max_length=MAX_BUNDLED_GECS,
        description="Serials of the GECs (绿证) issued for this contract's electricity; claimed with it.",
    )
    evidence: list[Cid] = Field(default_factory=list)


GreenPowerClaim = Annotated[GecClaim | ContractClaim, Field(discriminator="type")]


class ElectricityInput(BaseInput):
    grid_region: str | None = Field(
        default=None, description="Grid region or province code; defaults to the site's."
    )
    stage: Stage = "production"
    green_power_claims: list[GreenPowerClaim] = Field(default_factory=list)
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = ("energy",)

    def consumed_mwh(self) -> float:
        return self.amount * conversion_factor(self.unit, "MWh")


class HeatInput(BaseInput):
    carrier: Literal["steam", "hot-water", "heat"] = "steam"
    stage: Stage = "production"
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = ("energy",)


class TransportLeg(DocumentModel):
    id: InputId
    mode: str = Field(
        min_length=1, description="road-truck, rail, sea-container, sea-bulk, inland-waterway, air"
    )
    distance: Quantity
    mass: Quantity
    material: str | None = Field(default=None, description="Id of the input carried, for reporting.")
    stage: Stage = "raw-material-acquisition"
    data_source: DataSource = "secondary"
    data_quality: DataQuality = Field(default_factory=DataQuality)
    uncertainty: Uncertainty | None = None
    evidence: list[Cid] = Field(default_factory=list)
    factor_id: str | None = None

    @field_validator("distance")
    @classmethod
    def distance_is_a_length(cls, value: Quantity) -> Quantity:
        check_unit(value.unit, field="distance.unit", allowed=("length",))
        return value

    @field_validator("mass")
    @classmethod
    def mass_is_a_mass(cls, value: Quantity) -> Quantity:
        check_unit(value.unit, field="mass.unit", allowed=("mass",))
        return value


class ProcessEmission(BaseInput):
    gas: Gas
    origin: Origin = "fossil"
    stage: Stage = "production"
    data_source: DataSource = "primary"
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = ("mass",)


class WasteInput(BaseInput):
    treatment: str = Field(min_length=1, description="landfill, incineration, recycling, …")
    waste_type: str = "general"
    stage: Stage = "production"
    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = ("mass",)


class Inputs(DocumentModel):
    materials: list[MaterialInput] = Field(default_factory=list)
    packaging: list[PackagingInput] = Field(default_factory=list)
    fuels: list[FuelInput] = Field(default_factory=list)
    electricity: list[ElectricityInput] = Field(default_factory=list)
    heat: list[HeatInput] = Field(default_factory=list)
    transport: list[TransportLeg] = Field(default_factory=list)
    process_emissions: list[ProcessEmission] = Field(default_factory=list)
    waste: list[WasteInput] = Field(default_factory=list)


#: The input lists of :class:`Inputs` as (attribute, JSON name), in document order.
INPUT_LISTS: tuple[tuple[str, str], ...] = tuple((name, to_camel(name)) for name in Inputs.model_fields)
