"""The footprint result: every figure per declared unit, with method, provenance, seeds and versions."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer
from pydantic.alias_generators import to_camel

from footprint_engine.calculate.upstream import UpstreamFootprint

__all__ = [
    "CategoryTotals",
    "DataQualityIndicators",
    "ElectricityReport",
    "EnergyReport",
    "FactorAlternative",
    "FactorUse",
    "FootprintResult",
    "FunctionalUnitReport",
    "GasResult",
    "InputContribution",
    "LifeCycleReport",
    "RuleApplication",
    "RuleUse",
    "UncertaintyResult",
    "UpstreamSource",
]

RESIDUAL_MIX_DISCLOSURE = (
    "China publishes no official residual-mix factor: grid electricity not covered by claims takes the grid "
    "average factor, which still contains the claimed renewable generation, so market-based results may "
    "double-count renewable attributes."
)


class _Out(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class CategoryTotals(_Out):
    """kgCO2e per declared unit. ``total`` = fossil + aircraft + dluc + biogenic emissions − biogenic removals."""

    total: float
    total_excluding_biogenic_removals: float
    fossil: float = Field(description="Fossil GHG excluding aircraft and dLUC.")
    aircraft: float
    dluc: float
    biogenic_emissions: float
    biogenic_removals: float = Field(description="Negative or zero.")


class GasResult(_Out):
    gas: str
    origin: str
    mass_kg: float = Field(description="kg of gas per declared unit (removals positive).")
    kg_co2e: float
    gwp100: float


class InputContribution(_Out):
    input_id: str
    path: str
    kind: str
    stage: str
    description: str
    amount: float = Field(description="Per declared unit, after allocation, in `unit`.")
    unit: str
    kg_co2e: float
    share_percent: float = Field(description="Share of the total excluding biogenic removals.")
    data_source: Literal["primary", "secondary"]
    primary_data_share_percent: float
    factor_id: str | None = None
    upstream: str | None = Field(
        default=None, description="identifier@version of a cited upstream footprint."
    )
    claim: str | None = None
    fallbacks: list[str] = Field(default_factory=list)
    flows: dict[str, float] = Field(default_factory=dict, description="kg per declared unit by GAS/origin.")
    conversion: str | None = Field(
        default=None,
        description="How the amount reached the factor's unit when not by plain unit conversion.",
    )


class ElectricityReport(_Out):
    consumed_mwh: float
    gec_mwh: float
    contract_mwh: float
    grid_mwh: float
    location_based_kg_co2e: float = Field(
        description="Per declared unit: all electricity at the grid factor."
    )
    market_based_kg_co2e: float = Field(description="Per declared unit: claims at generation-type factors.")
    total_location_based: float
    total_market_based: float
    claims: list[dict[str, Any]] = Field(default_factory=list)
    disclosure: str = RESIDUAL_MIX_DISCLOSURE


class EnergyReport(_Out):
    """GB/T 2589-2020 comprehensive energy consumption of this site, per declared unit (allocated)."""

    kgce_per_declared_unit: float
    breakdown: dict[str, float]
    electricity_conversion: str = "equivalent value (当量值) 0.1229 kgce/kWh"
    boundary: str = "gate-to-gate: energy consumed at this site; upstream energy is not included"
    not_counted: list[str] = Field(default_factory=list)


class DataQualityIndicators(_Out):
    """Emission-weighted pedigree scores (1 best … 5 worst); ``pact_dqr`` holds the PACT v3 DQRs (same scale)."""

    coverage_percent: float
    technological: float
    temporal: float
    geographical: float
    reliability: float
    completeness: float
    pact_dqr: dict[str, float]


class FactorAlternative(_Out):
    """Another library factor for the same thing (same key and geography, or the same published name) that was
    not used: conflicting entries stay side by side, and the result says which one was used."""

    id: str
    year: int | None
    value: float = Field(description="kgCO2e per unit (the result's GWP set).")
    unit: str
    geography: str
    version: str
    note: str | None = None


class FactorUse(_Out):
    id: str
    source: str
    year: int | None
    geography: str
    unit: str
    illustrative: bool
    note: str | None = None
    used_by: list[str]
    fallbacks: list[str] = Field(default_factory=list)
    ncv_gj_per_unit: float | None = Field(default=None, description="Fuels: the NCV used for energy amounts.")
    ncv_source: str | None = None
    # -- provenance (absent in results computed before these fields) ------------------------------------------
    version: str | None = Field(default=None, description="The exact version of the factor used.")
    name_zh: str | None = None
    name_en: str | None = None
    source_id: str | None = Field(default=None, description="Data source (footprint_engine.factors.sources).")
    redistributable: bool | None = None
    cpcd_code: str | None = None
    category: str | None = None
    alternatives: list[FactorAlternative] | None = Field(
        default=None, description="Other library factors for the same key or name, not used."
    )

    @model_serializer(mode="wrap")
    def _without_absent_provenance(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Provenance fields left unset (results computed before them) are left out, so such results keep the
        shape (and bytes) they had."""
        data: dict[str, Any] = handler(self)
        for name in _PROVENANCE:
            for key in (name, to_camel(name)):
                if key in data and data[key] is None:
                    del data[key]
        return data


_PROVENANCE = (
    "version", "name_zh", "name_en", "source_id", "redistributable", "cpcd_code", "category", "alternatives",
)  # fmt: skip


class RuleApplication(_Out):
    """Where an account rule chose a factor: the input path, the factor and its version, and the fallback
    steps (data: ``{"kind", "from", "to", "reason"}``; ``text``: the same in English)."""

    path: str
    use: Literal["grid", "transmission-distribution", "use-stage grid"]
    rule: str = Field(
        description="The rule that chose the factor (differs from the account's on a deviation)."
    )
    factor_id: str
    factor_version: str
    fallbacks: list[dict[str, str]] = Field(default_factory=list)
    text: list[str] = Field(default_factory=list)


class RuleUse(_Out):
    """The account rule of the result (:mod:`footprint_engine.factors.rules`), what it prescribes, where it chose
    the factors, and every departure from it (``deviations``: ``{"code", "path", "text"}``)."""

    id: str
    title: str
    citations: list[dict[str, Any]]
    electricity: str
    check: bool = Field(description="Some cited text was not read: verify before relying on the rule.")
    applied: list[RuleApplication]
    deviations: list[dict[str, str]] = Field(default_factory=list)
    followed: bool = Field(description="No deviation: every grid factor is the one the rule prescribes.")


class LifeCycleReport(_Out):
    """kgCO2e per declared unit by life-cycle segment, with the scenarios that produced them."""

    system_boundary: Literal["cradle-to-gate", "cradle-to-grave"]
    rule: str = (
        "GB/T 24067-2024 / ISO 14067: cradle-to-gate unless useScenario and endOfLifeScenario are given "
        "(then cradle-to-grave, stated per functional unit as well)"
    )
    cradle_to_gate: float = Field(description="Raw-material acquisition + production.")
    distribution: float
    use: float
    end_of_life: float
    use_scenario: dict[str, Any] | None = None
    end_of_life_scenario: dict[str, Any] | None = None


class FunctionalUnitReport(_Out):
    """ISO 14067 §6.3.3: the result per functional unit (declared-unit figures × reference flow)."""

    description: str
    reference_flow: float = Field(description="Declared units per functional unit.")
    declared_unit: str
    total: float = Field(description="kgCO2e per functional unit.")
    per_stage: dict[str, float]


class UncertaintyResult(_Out):
    iterations: int
    seed: int
    mean: float
    median: float
    p2_5: float = Field(alias="p2.5")
    p97_5: float = Field(alias="p97.5")
    std: float
    method: str = "Monte Carlo on bw2calc stochastic matrices (stats_arrays distributions)"


class UpstreamSource(_Out):
    """Which published result a cited upstream footprint was: its id and publisher, as the caller supplied them
    (``UpstreamFootprint.result_id`` / ``owner``), so a reader can tell the footprint used from any other one
    of the same product and version."""

    reference: str = Field(description="identifier@version, as in upstreamFootprints.")
    footprint_id: str | None = None
    owner: str | None = None


class FootprintResult(_Out):
    result_version: Literal[1] = 1
    product_identifier: str
    product_name: str | None = None
    organisation: str
    declared_unit: str
    produced_quantity: float
    reporting_period_start: date
    reporting_period_end: date
    geography: str
    system_boundary: Literal["cradle-to-gate", "cradle-to-grave"]
    stages_included: list[str]
    method: dict[str, Any]
    emissions: CategoryTotals
    per_gas: list[GasResult]
    per_stage: dict[str, float]
    per_input: list[InputContribution]
    top_contributors: list[str]
    flows: dict[str, float] = Field(
        description="kg per declared unit by GAS/origin (for supply-chain reuse)."
    )
    electricity: ElectricityReport
    energy: EnergyReport
    primary_data_share: float = Field(description="Percent, PACT definition.")
    dqi: DataQualityIndicators
    allocation: dict[str, Any]
    cut_off: dict[str, Any]
    factors: list[FactorUse]
    upstream_footprints: list[str]
    upstream_sources: list[UpstreamSource] | None = Field(
        default=None,
        description="The result id and publisher of each upstream footprint used (absent when none was used, "
        "and in results computed before this field).",
    )
    illustrative_factors_used: bool
    uncertainty: UncertaintyResult | None = None
    engine: dict[str, Any]
    life_cycle: LifeCycleReport | None = Field(
        default=None, description="Per-segment figures and scenarios (absent in results before this field)."
    )
    functional_unit: FunctionalUnitReport | None = None
    rules: list[RuleUse] | None = Field(
        default=None,
        description="The account rule applied, its citations, the factors it chose (id, version, fallbacks) and "
        "any deviation (absent in results computed before this field).",
    )

    @model_serializer(mode="wrap")
    def _without_absent_sources(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``upstreamSources`` is left out when no upstream footprint was used, and ``rules`` when absent (results
        computed before it), so such results keep the shape (and bytes) they had before the fields existed."""
        data: dict[str, Any] = handler(self)
        for name in ("upstream_sources", "upstreamSources", "rules"):
            if name in data and data[name] is None:
                del data[name]
        return data

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)

    def to_upstream(
        self, version: int, *, result_id: str | None = None, owner: str | None = None
    ) -> UpstreamFootprint:
        """This result as an :class:`UpstreamFootprint` a downstream product can cite."""
        return UpstreamFootprint(
            identifier=self.product_identifier,
            version=version,
            declared_unit=self.declared_unit,
            flows=dict(self.flows),
            primary_data_share=self.primary_data_share,
            dqi={
                "technological": self.dqi.technological,
                "temporal": self.dqi.temporal,
                "geographical": self.dqi.geographical,
                "reliability": self.dqi.reliability,
                "completeness": self.dqi.completeness,
            },
            result_id=result_id,
            owner=owner,
        )
