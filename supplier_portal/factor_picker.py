"""The activity grid's factor picker: the factor library searched for the signed-in organisation (the node's
search service, node_service.services.factors.service), each hit shaped for the picker in the page's language —
name, kgCO2e per unit, geography, year, source, and marks for CPCD rows (public transcription), illustrative and
private factors."""

from __future__ import annotations

from typing import Any

from footprint_engine.factors import Factor, characterisation
from node_service.db.models import Organisation
from node_service.runtime import Node
from node_service.services.factors.service import search_factors
from node_service.services.reports.factor_notes import SOURCE_NAMES
from supplier_portal.accounts import Actor

__all__ = ["MAX_PICKS", "SECTION_KINDS", "pick_factors"]

MAX_PICKS = 20
#: the grid's section → the kind of factor its inputs look up (packaging takes material factors)
SECTION_KINDS = {
    "material": "material",
    "packaging": "material",
    "fuel": "fuel",
    "electricity": "electricity-grid",
    "heat": "heat",
    "transport": "transport",
    "waste": "waste",
}


def N_(message: str) -> str:
    return message


MARK_CPCD = N_("CPCD, public transcription")
MARK_ILLUSTRATIVE = N_("illustrative")
MARK_PRIVATE = N_("your own")


def _kg_co2e(factor: Factor) -> float:
    """kgCO2e per unit of the factor (GWP100 of IPCC AR6, the engine's default)."""
    return sum(kg * characterisation(flow, "AR6") for flow, kg in factor.emissions.items())


def pick_factors(
    node: Node, actor: Actor, q: str, section: str, locale: str, translate: Any, limit: int = 10
) -> dict[str, Any]:
    """The best ``limit`` factors for ``q`` that the actor's organisation may use, of the kind the grid's
    ``section`` needs (any kind for an unknown section): ``{"total", "results": [...]}``."""
    with node.db.transaction() as session:
        viewer = session.get(Organisation, actor.organisation_id)
        assert viewer is not None, f"organisation {actor.organisation_id} of a session is gone"
        session.expunge(viewer)
    page = search_factors(
        node, viewer, q.strip() or None, kind=SECTION_KINDS.get(section), limit=max(1, min(limit, MAX_PICKS))
    )
    zh = locale != "en"
    results = []
    for hit in page.hits:
        f = hit.factor
        names = (f.name_zh, f.name_en) if zh else (f.name_en, f.name_zh)
        source = SOURCE_NAMES.get(f.source_id or "")
        marks: list[dict[str, str]] = []
        if f.source_id == "cpcd" or f.cpcd_code:
            marks.append({"kind": "cpcd", "text": translate(MARK_CPCD)})
        if f.illustrative:
            marks.append({"kind": "illustrative", "text": translate(MARK_ILLUSTRATIVE)})
        if f.owner is not None and f.owner == viewer.id:
            marks.append({"kind": "private", "text": translate(MARK_PRIVATE)})
        results.append(
            {
                "id": f.id,
                "name": next((n for n in names if n), f.id),
                "value": round(_kg_co2e(f), 6),
                "unit": f.unit,
                "geography": f.geography,
                "year": f.year,
                "version": f.version,
                "source": source[0 if zh else 1] if source else f.source,
                "cpcdCode": f.cpcd_code,
                "illustrative": f.illustrative,
                "marks": marks,
            }
        )
    return {"total": page.total, "results": results}
