"""``/reference-tables``: the engine's reference tables as this node recorded them (GB/T 2589 coefficients,
default fuel parameters, GWP100, energy-limit levels, park indicators), every version kept: a result that cited
"energy-limit-levels 2026-12" can be read again after the package changed (docs/factors.md, Reference tables).

Public data, read by anyone: no token needed, and none looked at (nothing here depends on who asks).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from node_service.api._deps import NodeDep
from node_service.services.factors import reference_tables as tables

__all__ = ["router"]

router = APIRouter(tags=["factors"])


@router.get("/reference-tables")
def list_reference_tables(node: NodeDep) -> dict[str, Any]:
    """Every reference table's current version: name, titles (zh, en), version, rows, how many rows need review
    (待复核) and who published them."""
    return {"data": tables.list_tables(node)}


@router.get("/reference-tables/{name}")
def show_reference_table(
    node: NodeDep,
    name: str,
    version: Annotated[
        str | None,
        Query(max_length=64, description="a recorded version (default: the current one), e.g. 2026-12"),
    ] = None,
) -> dict[str, Any]:
    """One version of a table with every row and its provenance (``review``: the row must be checked against
    its source before it decides anything), and the list of versions recorded (404 names the table or the
    version)."""
    return tables.show_table(node, name, version)
