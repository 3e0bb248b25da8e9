"""``GET /log/heads`` and ``GET /log/consistency``: public, for auditors (``tanlian log audit --node``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from node_service.api._deps import NodeDep
from node_service.services.log_heads import consistency_between, published_heads

__all__ = ["router"]

router = APIRouter(tags=["log"])


@router.get("/log/heads")
def heads(node: NodeDep) -> dict[str, Any]:
    """The log's current size and every tree head anchored on the current contract (size, root, transaction)."""
    return published_heads(node)


@router.get("/log/consistency")
def consistency_proof(
    node: NodeDep,
    from_: Annotated[int, Query(alias="from", ge=0, description="older tree size")],
    to: Annotated[int, Query(ge=0, description="newer tree size (at most the largest anchored head)")],
) -> dict[str, Any]:
    """The RFC 9162 consistency proof between two tree sizes, with both roots."""
    return consistency_between(node, from_, to)
