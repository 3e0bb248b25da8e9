"""Shared pieces of the PACT mappings (v3.0 and v2.3): decimals, the cradle-to-gate figures, descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from footprint_engine.calculate.result import FootprintResult
from footprint_engine.errors import FootprintEngineError
from footprint_engine.factors.sources import data_source

__all__ = [
    "GATE_STAGES",
    "LICENSED_SOURCE",
    "SIGNIFICANT_DIGITS",
    "GateFigures",
    "PactMappingError",
    "allocation_description",
    "boundary_description",
    "gate_figures",
    "geography",
    "pact_decimal",
    "rules_comment",
    "secondary_sources",
]

SIGNIFICANT_DIGITS = 6
#: PACT footprints are cradle-to-gate: the stages counted in the PACT figures.
GATE_STAGES = ("raw-material-acquisition", "production")


class PactMappingError(FootprintEngineError):
    """The result cannot be expressed as a PACT CarbonFootprint."""


def pact_decimal(value: float) -> str:
    """``value`` rounded to SIGNIFICANT_DIGITS significant digits as a plain decimal string (no exponent)."""
    if value == 0:
        return "0"
    d = Decimal(f"{value:.{SIGNIFICANT_DIGITS}g}")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True)
class GateFigures:
    """kgCO2e per declared unit over the cradle-to-gate stages, by PACT category."""

    fossil: float  # fossil excluding aircraft
    aircraft: float
    dluc: float
    biogenic_co2: float  # biogenic CO2 emissions
    biogenic_non_co2: float  # biogenic CH4, N2O … in CO2e
    biogenic_removals: float  # <= 0
    packaging: float
    outbound_logistics: float  # distribution stage (not in the totals)

    @property
    def total(self) -> float:
        return self.total_excluding_removals + self.biogenic_removals

    @property
    def total_excluding_removals(self) -> float:
        return self.fossil + self.aircraft + self.dluc + self.biogenic_co2 + self.biogenic_non_co2


def gate_figures(result: FootprintResult) -> GateFigures:
    """Category totals of the cradle-to-gate stages, from each input's flows and the result's GWP100."""
    gwp = {f"{g.gas}/{g.origin}": g.gwp100 for g in result.per_gas}
    sums = dict.fromkeys(
        ("fossil", "aircraft", "dluc", "bio_co2", "bio_other", "removal", "pack", "out"), 0.0
    )
    for c in result.per_input:
        if c.stage == "distribution":
            sums["out"] += c.kg_co2e
        if c.stage not in GATE_STAGES:
            continue
        if c.kind == "packaging":
            sums["pack"] += c.kg_co2e
        for flow, kg in c.flows.items():
            gas, _, origin = flow.partition("/")
            co2e = kg * gwp[flow]
            if origin == "biogenic":
                sums["bio_co2" if gas == "CO2" else "bio_other"] += co2e
            elif origin == "biogenic-removal":
                sums["removal"] += co2e
            else:
                sums[origin] += co2e
    return GateFigures(
        fossil=sums["fossil"],
        aircraft=sums["aircraft"],
        dluc=sums["dluc"],
        biogenic_co2=sums["bio_co2"],
        biogenic_non_co2=sums["bio_other"],
        biogenic_removals=min(sums["removal"], 0.0),
        packaging=sums["pack"],
        outbound_logistics=sums["out"],
    )


def boundary_description(result: FootprintResult) -> str:
    stages = [s for s in result.stages_included if s in GATE_STAGES]
    text = (
        f"cradle-to-gate per GB/T 24067-2024 (ISO 14067); stages: {', '.join(stages)}; "
        f"top contributors: {', '.join(result.top_contributors)}"
    )
    if "distribution" in result.stages_included:
        text += "; distribution to the customer reported apart (outbound logistics), not in the PCF"
    if result.system_boundary == "cradle-to-grave":
        text += (
            "; the study is cradle-to-grave: its use and end-of-life stages are not included in this PACT "
            "footprint (see the tanlian result for them)"
        )
    return text


def allocation_description(result: FootprintResult) -> str:
    a = result.allocation
    if a.get("basis") in (None, "none"):
        return "no co-products; no allocation"
    return (
        f"{a['basis']} allocation, product share {a['productSharePercent']:.4g} % applied to "
        f"{', '.join(a['appliedToStages'])} stages ({a.get('justification') or a['rule']})"
    )


def geography(result: FootprintResult) -> dict[str, str]:
    geo = result.geography
    if len(geo) == 2 and geo.isalpha() and geo.isupper():
        return {"geographyCountry": geo}
    if geo[:3] == "CN-" and 1 <= len(geo) - 3 <= 3 and geo[3:].isalnum() and geo[3:].isupper():
        return {"geographyCountrySubdivision": geo}
    if geo.startswith("CN"):
        return {"geographyCountry": "CN"}
    return {}


#: How a factor that may not be redistributed (licensed LCI, an organisation's private factors) is named in a
#: PACT document: the figure it produced is published, its source's name and details are not.
LICENSED_SOURCE = {"name": "licensed secondary data", "version": "not disclosed"}


def secondary_sources(result: FootprintResult) -> list[dict[str, str]]:
    """PACT ``secondaryEmissionFactorSources``: each data source used, by name and version (the factors' year and
    library version), never a value; non-redistributable factors only as :data:`LICENSED_SOURCE`."""
    pairs: set[tuple[str, str]] = set()
    for f in result.factors:
        if f.redistributable is False:
            pairs.add((LICENSED_SOURCE["name"], LICENSED_SOURCE["version"]))
            continue
        registered = data_source(f.source_id)
        name = registered.title if registered is not None else f.source.split(";")[0].split(" (")[0]
        version = str(f.year or "undated") + (f" / v{f.version}" if f.version else "")
        pairs.add((name.strip()[:200], version))
    return [{"name": n, "version": v} for n, v in sorted(pairs) if n]


def rules_comment(result: FootprintResult) -> str:
    """A sentence for a PACT footprint's ``comment``: the account rule, the grid factor it applied (id and
    version) and its geography and year fallbacks, and any deviation — empty for results before rules."""
    sentences = []
    for rule in result.rules or []:
        grids = [a for a in rule.applied if a.use == "grid"]
        used = ", ".join(dict.fromkeys(f"{a.factor_id} (version {a.factor_version})" for a in grids))
        text = f"Grid electricity per rule {rule.id} ({rule.title})" + (f": {used}" if used else "")
        steps = list(dict.fromkeys(t for a in rule.applied for t in a.text))
        if steps:
            text += "; fallback " + "; ".join(steps)
        sentences.append(text + ".")
        sentences.extend(f"Deviation ({d['code']}): {d['text']}." for d in rule.deviations)
    return " ".join(sentences)
