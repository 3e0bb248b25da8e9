"""Which upstream footprints each stored footprint cites (``pact_citations``), recorded when it is stored.

The engine result of a footprint lists the footprints it used as primary data in ``upstreamFootprints``
("identifier@version"). An ORM event on ``Footprint`` inserts one citation row per pair in the same flush, so
every path that stores a footprint records them; a new upstream version then finds its buyers by index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, insert
from sqlalchemy.orm import Mapper

from node_service.db.models import Footprint
from node_service.pact.models import PactCitation

__all__ = ["citations_of"]


def citations_of(document: dict[str, Any] | None) -> set[tuple[str, int]]:
    """(identifier, version) pairs a stored footprint document cites ("identifier@version" strings)."""
    cited = ((document or {}).get("result") or {}).get("upstreamFootprints") or []
    found: set[tuple[str, int]] = set()
    for ref in cited:
        identifier, _, version = str(ref).rpartition("@")
        if identifier and version.isdigit() and len(identifier) <= 300:
            found.add((identifier, int(version)))
    return found


@event.listens_for(Footprint, "after_insert")
def _record_citations(_mapper: Mapper[Any], connection: Connection, target: Footprint) -> None:
    rows = [
        {"footprint_id": target.id, "upstream_product_id": identifier, "upstream_version": version}
        for identifier, version in sorted(citations_of(target.result))
    ]
    if rows:
        connection.execute(insert(PactCitation), rows)
