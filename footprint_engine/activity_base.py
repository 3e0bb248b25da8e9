"""Building blocks of the activity-data document (schema version 1): the value types, the model base and
the fields every input shares.

The bottom of the document's modules: the inputs (:mod:`footprint_engine.activity_inputs`), the rule modules
(:mod:`footprint_engine.greenpower`, :mod:`footprint_engine.allocation`, :mod:`footprint_engine.scenarios`)
and the document itself (:mod:`footprint_engine.activity`, which re-exports the public names) build on it.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from footprint_engine.units import check_unit

__all__ = [
    "STAGES",
    "Amount",
    "BaseInput",
    "Cid",
    "DataQuality",
    "DataSource",
    "DocumentModel",
    "Gas",
    "InputId",
    "Origin",
    "Quantity",
    "ReportingPeriod",
    "Stage",
    "Uncertainty",
]

Stage = Literal["raw-material-acquisition", "production", "distribution", "use", "end-of-life"]
STAGES: tuple[str, ...] = ("raw-material-acquisition", "production", "distribution", "use", "end-of-life")
DataSource = Literal["primary", "secondary"]
Gas = Literal[
    "CO2", "CH4", "N2O", "SF6", "NF3", "HFC-134a", "HFC-23", "HFC-32", "CF4", "C2F6"
]  # fmt: skip
Origin = Literal["fossil", "biogenic", "biogenic-removal", "dluc"]

_CID = re.compile(r"^(b[a-z2-7]{20,}|Qm[1-9A-HJ-NP-Za-km-z]{44}|z[1-9A-HJ-NP-Za-km-z]{20,})$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-/]{0,127}$")


def _cid(value: str) -> str:
    if not _CID.match(value):
        raise ValueError(
            f"{value!r} is not an IPFS CID (CIDv1 base32 'b…' or CIDv0 'Qm…') — give the CID printed by "
            "'tanlian evidence cid FILE'"
        )
    return value


def _finite_non_negative(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("amount must be a finite number — remove NaN/Infinity")
    if value < 0:
        raise ValueError(f"negative amount {value} — amounts are >= 0; report removals with their own origin")
    return value


Cid = Annotated[str, AfterValidator(_cid)]
Amount = Annotated[float, AfterValidator(_finite_non_negative)]
InputId = Annotated[
    str, Field(pattern=_ID.pattern, description="Unique id of this input within the document.")
]


class DocumentModel(BaseModel):
    """Base of the document's models: camelCase JSON names, unknown fields refused, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )


class Quantity(DocumentModel):
    """An amount with a unit."""

    amount: Amount
    unit: str


class DataQuality(DocumentModel):
    """Pedigree-matrix ratings (1 best … 5 worst), after Weidema & Wesnaes / ecoinvent."""

    reliability: int = Field(default=3, ge=1, le=5)
    completeness: int = Field(default=3, ge=1, le=5)
    temporal: int = Field(default=3, ge=1, le=5)
    geographical: int = Field(default=3, ge=1, le=5)
    technological: int = Field(default=3, ge=1, le=5)


class Uncertainty(DocumentModel):
    """The input's own distribution; when absent, a lognormal is derived from its data-quality ratings."""

    distribution: Literal["lognormal", "normal", "uniform", "triangular"]
    geometric_sd: float | None = Field(
        default=None, gt=1, description="lognormal: geometric standard deviation (>1)."
    )
    sd: float | None = Field(
        default=None, gt=0, description="normal: standard deviation in the input's unit."
    )
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="after")
    def parameters_match_distribution(self) -> Uncertainty:
        need = {
            "lognormal": ("geometric_sd",),
            "normal": ("sd",),
            "uniform": ("minimum", "maximum"),
            "triangular": ("minimum", "maximum"),
        }[self.distribution]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"{self.distribution} needs {', '.join(to_camel(m) for m in missing)}")
        if self.minimum is not None and self.maximum is not None and self.minimum >= self.maximum:
            raise ValueError("minimum must be below maximum")
        return self


class BaseInput(DocumentModel):
    """The fields every input shares; a subclass names the unit dimensions its amount may have."""

    id: InputId
    name: str | None = None
    amount: Amount
    unit: str
    stage: Stage
    data_source: DataSource = "secondary"
    data_quality: DataQuality = Field(default_factory=DataQuality)
    uncertainty: Uncertainty | None = None
    evidence: list[Cid] = Field(default_factory=list)
    factor_id: str | None = Field(default=None, description="Explicit factor id from the factor library.")

    _UNIT_DIMENSIONS: ClassVar[tuple[str, ...]] = ()

    @field_validator("unit")
    @classmethod
    def unit_has_the_right_dimension(cls, value: str) -> str:
        return check_unit(value, field="unit", allowed=cls._UNIT_DIMENSIONS or None)


class ReportingPeriod(DocumentModel):
    start: date
    end: date

    @model_validator(mode="after")
    def start_before_end(self) -> ReportingPeriod:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self
