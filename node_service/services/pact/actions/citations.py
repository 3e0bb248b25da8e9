"""Which upstream footprints each stored footprint cites (``pact_citations``), recorded when it is stored.

The engine result of a footprint lists the footprints it used as primary data in ``upstreamFootprints``
("identifier@version"). The transaction that stores a footprint calls :func:`record_citations`
(node_service.services.submissions.store), so a new upstream version then finds its buyers by index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from node_service.services.pact.models import PactCitation

__all__ = ["citations_of", "record_citations"]


def citations_of(document: dict[str, Any] | None) -> set[tuple[str, int]]:
    """(identifier, version) pairs a stored footprint document cites ("identifier@version" strings)."""
    cited = ((document or {}).get("result") or {}).get("upstreamFootprints") or []
    found: set[tuple[str, int]] = set()
    for ref in cited:
        identifier, _, version = str(ref).rpartition("@")
        if identifier and version.isdigit() and len(identifier) <= 300:
            found.add((identifier, int(version)))
    return found


def record_citations(session: Session, footprint_id: str, document: dict[str, Any] | None) -> None:
    """One ``pact_citations`` row per upstream footprint that the stored ``document`` cites."""
    rows = [
        {"footprint_id": footprint_id, "upstream_product_id": identifier, "upstream_version": version}
        for identifier, version in sorted(citations_of(document))
    ]
    if rows:
        session.execute(insert(PactCitation), rows)
