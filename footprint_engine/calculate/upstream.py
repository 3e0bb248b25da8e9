"""Upstream footprints: a supplier's published result, cited by identifier + version as primary data."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from footprint_engine.factors.model import FLOW_GASES, FLOW_ORIGINS

__all__ = ["UpstreamFootprint"]


class UpstreamFootprint(BaseModel):
    """Per declared unit of the upstream product: flows by ``GAS/origin`` in kg, plus quality figures."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")

    identifier: str = Field(min_length=1)
    version: int = Field(ge=1)
    declared_unit: str
    flows: dict[str, float] = Field(description="kg of gas per declared unit, by 'GAS/origin'.")
    primary_data_share: float = Field(ge=0, le=100, description="Percent (PACT definition).")
    dqi: dict[str, float] = Field(default_factory=dict, description="Pedigree ratings 1–5 by dimension.")
    result_id: str | None = Field(default=None, description="Id of the published result (for provenance).")
    owner: str | None = Field(
        default=None, description="Who published the result (a did:key; for provenance, with result_id)."
    )
    uncertainty_gsd: float | None = Field(default=None, gt=1)

    @field_validator("flows")
    @classmethod
    def flows_are_known(cls, value: dict[str, float]) -> dict[str, float]:
        for key, amount in value.items():
            gas, _, origin = key.partition("/")
            if gas not in FLOW_GASES or origin not in FLOW_ORIGINS:
                raise ValueError(f"unknown flow {key!r}")
            if not math.isfinite(amount) or amount < 0:
                raise ValueError(f"flow {key!r} amount {amount} must be finite and >= 0")
        return value

    @property
    def reference(self) -> str:
        return f"{self.identifier}@{self.version}"
