"""``/cbam``: an exporter's installations and their emissions communications. Routes are thin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, Field

from node_service.api._deps import CurrentOrg, NodeDep
from node_service.services.cbam import service
from node_service.services.cbam.service import StoredInstallation

__all__ = ["router"]

router = APIRouter(prefix="/cbam", tags=["cbam"])

InstallationBody = Annotated[
    Any,  # checked by the service, so that every refusal names the field the same way
    Body(
        description="The CBAM installation JSON (footprint_engine.cbam.Installation; see docs/cbam.md); a "
        "precursor may cite a footprint on this node with `supplier_footprint_id`."
    ),
]


class InstallationPublic(BaseModel):
    id: str = Field(description="the node's id of the installation record")
    installationId: str = Field(description="the operator's installation_id from the document")
    version: int
    entryId: str = Field(description="log entry id of this version: GET /receipts/{entryId}")
    sha256: str = Field(description="SHA-256 of the RFC 8785 JSON of the document")
    createdAt: datetime
    updatedAt: datetime
    installation: dict[str, Any]


def _public(stored: StoredInstallation) -> InstallationPublic:
    return InstallationPublic(
        id=stored.id,
        installationId=stored.installation_id,
        version=stored.version,
        entryId=stored.entry_id,
        sha256=stored.sha256,
        createdAt=stored.created_at,
        updatedAt=stored.updated_at,
        installation=stored.document,
    )


@router.post("/installations", status_code=status.HTTP_201_CREATED)
def create(node: NodeDep, org: CurrentOrg, document: InstallationBody) -> InstallationPublic:
    """Store an installation of your organisation; the version is logged and gets a receipt."""
    return _public(service.create_installation(node, org, document))


@router.get("/installations/{record_id}")
def read(node: NodeDep, org: CurrentOrg, record_id: str) -> InstallationPublic:
    return _public(service.get_installation(node, org, record_id))


@router.put("/installations/{record_id}")
def replace(node: NodeDep, org: CurrentOrg, record_id: str, document: InstallationBody) -> InstallationPublic:
    """Replace the installation with a new version (earlier versions stay in the log)."""
    return _public(service.replace_installation(node, org, record_id, document))


@router.get(
    "/installations/{record_id}/communication",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                "application/json": {},
                "application/xml": {},
            }
        },
        409: {"description": "a receipt is not anchored yet; retry after Retry-After seconds"},
    },
)
def communication(
    node: NodeDep,
    org: CurrentOrg,
    record_id: str,
    period: Annotated[int, Query(ge=2023, le=2100, description="calendar year, e.g. 2026")],
    fmt: Annotated[Literal["xlsx", "json", "xml"], Query(alias="format")] = "xlsx",
    certificate_price: Annotated[
        float | None, Query(alias="certificatePrice", ge=0, description="CBAM certificate price, EUR/tCO2e")
    ] = None,
) -> Response:
    """The emissions communication for the EU importer, with the receipts of the data behind it."""
    file = service.communication_file(
        node, org, record_id, period=period, fmt=fmt, certificate_price_eur=certificate_price
    )
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "X-Tanlian-Receipts": str(file.receipts),
        },
    )
