"""Calculation options (all have defaults; recorded in every result)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = ["CalculationOptions"]


class CalculationOptions(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid")

    gwp_set: Literal["AR6", "AR5"] = "AR6"
    grid_basis: Literal["footprint", "co2"] = Field(
        default="footprint",
        description="'footprint': MEE electricity carbon-footprint factors (life cycle, for product footprints); "
        "'co2': MEE/NBS grid CO2 factors (combustion only, regional/provincial).",
    )
    factor_year: int | None = Field(
        default=None, description="Year for factor look-ups; default: the period's end year."
    )
    iterations: int = Field(default=0, ge=0, le=100_000, description="Monte Carlo iterations (0: none).")
    seed: int | None = Field(
        default=None, ge=0, description="Monte Carlo seed; drawn and recorded when None."
    )
    basic_variance: float = Field(
        default=0.0006,
        ge=0,
        description="Basic uncertainty (variance of ln) added to the pedigree variances.",
    )
    top_n: int = Field(default=5, ge=1, le=100)
    brightway_dir: Path | None = Field(
        default=None,
        description="Directory for Brightway's project files (first import only); default: a temp dir.",
    )
