"""Factor records: one figure with its provenance and its gas breakdown."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from footprint_engine.units import check_unit

__all__ = [
    "FLOW_GASES",
    "FLOW_ORIGINS",
    "EnergyCoefficient",
    "Factor",
    "FactorKind",
    "FactorMatch",
    "flow_key",
]

FactorKind = Literal[
    "electricity-grid", "electricity-generation", "fuel", "transport", "material", "packaging", "waste", "heat"
]  # fmt: skip

#: Gases a flow may carry; "CO2e" is a figure published already characterised (gas breakdown unknown).
FLOW_GASES = ("CO2", "CH4", "N2O", "SF6", "NF3", "HFC-134a", "HFC-23", "HFC-32", "CF4", "C2F6", "CO2e")
#: Origins, reported separately per GB/T 24067 / ISO 14067 §7.3.
FLOW_ORIGINS = ("fossil", "biogenic", "biogenic-removal", "dluc", "aircraft")


def flow_key(gas: str, origin: str) -> str:
    """``"CH4/fossil"`` etc.: the key of a biosphere flow."""
    return f"{gas}/{origin}"


class Factor(BaseModel):
    """An emission factor per one ``unit`` of activity, split by flow (kg of gas per unit)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    kind: FactorKind
    key: str = Field(min_length=1, description="What the factor is for: grid basis, fuel, mode, material, …")
    geography: str = Field(min_length=2)
    year: int | None = None
    unit: str = Field(description="The activity unit the factor is per, e.g. kWh, t, tkm, GJ, kg.")
    emissions: dict[str, float] = Field(description="kg of gas per unit, by flow key 'GAS/origin'.")
    source: str = Field(min_length=1)
    note: str | None = None
    uncertainty_gsd: float | None = Field(default=None, gt=1)
    illustrative: bool = False
    ncv_gj_per_unit: float | None = Field(
        default=None,
        gt=0,
        description="Fuels: net calorific value in GJ per factor unit, for amounts given in energy units.",
    )
    ncv_source: str | None = Field(default=None, description="Where the net calorific value comes from.")
    # -- library metadata (search, versions, licensing); all optional so a bare factor file still loads ------
    name_zh: str | None = Field(default=None, description="Chinese name, as the source publishes it.")
    name_en: str | None = None
    category: str | None = Field(default=None, description="Search category, e.g. 'metal', 'grid-co2'.")
    scope: str | None = Field(default=None, description="System boundary as published: cradle-to-gate, …")
    version: str = Field(
        default="1", min_length=1, description="Version of this factor id; results record it."
    )
    valid_from: date | None = Field(default=None, description="First day this version is in force.")
    valid_to: date | None = Field(
        default=None, description="Last day this version is in force (None: current)."
    )
    source_id: str | None = Field(
        default=None, description="Key of the data source (footprint_engine.factors.sources) and its terms."
    )
    publisher: str | None = None
    source_url: str | None = None
    verified_in: str | None = Field(default=None, description="Where the figure was read (URL or repo:path).")
    cpcd_code: str | None = Field(default=None, description="CPCD entry code, for rows from the CPCD.")
    redistributable: bool = Field(
        default=True,
        description="False: licensed or private data; only the computed figure may leave the owner.",
    )
    owner: str | None = Field(
        default=None, description="Organisation id of a private factor; None: the library."
    )

    @field_validator("unit")
    @classmethod
    def unit_is_known(cls, value: str) -> str:
        return check_unit(value, field="unit")

    @field_validator("emissions")
    @classmethod
    def flows_are_known(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("a factor needs at least one flow")
        for key, amount in value.items():
            gas, _, origin = key.partition("/")
            if gas not in FLOW_GASES or origin not in FLOW_ORIGINS:
                raise ValueError(
                    f"unknown flow {key!r}: want GAS/origin with GAS in {FLOW_GASES}, origin in "
                    f"{FLOW_ORIGINS}"
                )
            if not math.isfinite(amount) or amount < 0:
                raise ValueError(f"flow {key!r} amount {amount} must be finite and >= 0")
        return value

    def provenance(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "year": self.year,
            "geography": self.geography,
            "unit": self.unit,
            "illustrative": self.illustrative,
            "note": self.note,
            "ncvGJPerUnit": self.ncv_gj_per_unit,
            "ncvSource": self.ncv_source,
            "version": self.version,
            "sourceId": self.source_id,
            "redistributable": self.redistributable,
        }


class FactorMatch(BaseModel):
    """A factor found for a request, with the fallback steps taken (empty for an exact match)."""

    model_config = ConfigDict(frozen=True)

    factor: Factor
    requested: str
    fallbacks: tuple[str, ...] = ()


class EnergyCoefficient(BaseModel):
    """GB/T 2589-2020 standard-coal coefficient: kgce per unit of an energy carrier."""

    model_config = ConfigDict(frozen=True)

    key: str
    unit: str
    kgce_per_unit: float = Field(gt=0)
    source: str
    ncv_kj_per_unit: float | None = Field(default=None, gt=0, description="Reference net calorific value.")
