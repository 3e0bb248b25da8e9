"""Step (6) of an LCI import: one :class:`~footprint_engine.factors.model.Factor` per activity inventory, and
the :class:`LciImport` that reports them with what was left out and why."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict, Field

from footprint_engine.factors.gwp import GwpSet, characterisation
from footprint_engine.factors.lci.flows import IPCC_2021_GWP100_FLOWS, flow_key_of
from footprint_engine.factors.lci.inventory import Inventory
from footprint_engine.factors.lci.units import UNITS
from footprint_engine.factors.model import Factor

__all__ = ["LciImport", "build_result", "slug"]


class LciImport(BaseModel):
    """What :func:`import_lci` made of a database."""

    model_config = ConfigDict(frozen=True)

    factors: list[Factor]
    database: str = Field(description="The database name, from the file or the caller.")
    activities: int = Field(description="Activities in the imported database (factors + skipped).")
    skipped: list[str] = Field(description="Activities left out, each with the reason.")
    unmatched_flows: list[str] = Field(
        description="Greenhouse-gas flows (IPCC 2021 GWP100) in the inventories that the engine has no key for."
    )
    gwp100: dict[str, float] = Field(description="Factor id → kgCO2e per unit under gwp_set, for display.")
    gwp_set: str
    format: str
    bw2io_version: str


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "lci"


def _geography(location: object) -> str:
    if not isinstance(location, str) or len(location.strip()) < 2 or location.strip().upper() == "GLOBAL":
        return "GLO"
    return location.strip()


def build_result(
    inventories: list[Inventory],
    *,
    database: str,
    fmt: str,
    gwp_set: GwpSet,
    source_id: str,
    owner: str | None,
    id_prefix: str,
    bw2io_version: str,
) -> LciImport:
    factors: list[Factor] = []
    skipped: list[str] = []
    unmatched: set[str] = set()
    scores: dict[str, float] = {}
    db_slug = slug(database)
    for inv in inventories:
        label = f"{inv.name!r} ({inv.code})"
        emissions: dict[str, float] = {}
        for (flow, compartment, subcompartment), amount in inv.flows.items():
            key = flow_key_of(flow, compartment, subcompartment)
            if key is not None:
                emissions[key] = emissions.get(key, 0.0) + amount
            elif (flow, compartment) in IPCC_2021_GWP100_FLOWS:
                unmatched.add(f"{flow} ({'/'.join(c for c in (compartment, subcompartment) if c)})")
        # round-off of the solve (a few ulp of the largest flow) is zero, not an emission or a negative one
        scale = max((abs(v) for v in emissions.values()), default=0.0)
        emissions = {k: v for k, v in emissions.items() if abs(v) > 1e-12 * scale}
        negative = sorted(k for k, v in emissions.items() if v < 0)
        if negative:
            skipped.append(
                f"{label}: net {negative[0]} is {emissions[negative[0]]:.6g} kg per {inv.unit}; "
                "factors take emissions >= 0"
            )
            continue
        unit = UNITS.get(inv.unit)
        if unit is None:
            skipped.append(f"{label}: unit {inv.unit!r} has no engine unit (known: {', '.join(UNITS)})")
            continue
        factor = Factor(
            id=f"{id_prefix}/{db_slug}/{inv.code}",
            kind="material",
            key=slug(inv.name),
            geography=_geography(inv.location),
            year=inv.year,
            unit=unit,
            emissions=emissions or {"CO2/fossil": 0.0},
            source=f"{database} (imported with bw2io {bw2io_version}, {fmt})",
            note=None if emissions else "no greenhouse-gas flow in this activity's life-cycle inventory",
            name_en=inv.name,
            category="lci-import",
            scope="cradle-to-gate",
            source_id=source_id,
            redistributable=False,
            owner=owner,
        )
        factors.append(factor)
        scores[factor.id] = math.fsum(v * characterisation(k, gwp_set) for k, v in factor.emissions.items())
    return LciImport(
        factors=factors,
        database=database,
        activities=len(inventories),
        skipped=skipped,
        unmatched_flows=sorted(unmatched),
        gwp100=scores,
        gwp_set=gwp_set,
        format=fmt,
        bw2io_version=bw2io_version,
    )
