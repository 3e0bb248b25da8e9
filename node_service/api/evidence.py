"""``/evidence``: upload (streamed), list, read, and grant read access. Routes are thin."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from node_service.api._deps import CurrentOrg, NodeDep
from node_service.api.limits import UPLOAD_ROUTE
from node_service.api.responses import problem_responses
from node_service.services.evidence_files import files as service
from node_service.services.evidence_files.media_types import DOWNLOAD_HEADERS, served_media_type
from node_service.services.evidence_files.models import EvidenceFile
from node_service.services.evidence_files.package import build_package, temporary_package_path
from node_service.services.evidence_files.upload import receive_upload

__all__ = ["router"]

router = APIRouter(tags=["evidence"])
_BINARY = {"type": "string", "format": "binary"}


class EvidencePublic(BaseModel):
    cid: str
    sha256: str
    size: int
    filename: str
    mediaType: str
    entryId: str = Field(description="log entry id: GET /receipts/{entryId} once anchored")


class GrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown member is a mistake: 422 naming it

    organisation: str = Field(description="did of the organisation (e.g. an auditor) to let read the file")


def _public(record: EvidenceFile) -> EvidencePublic:
    return EvidencePublic(
        cid=record.cid,
        sha256=record.sha256,
        size=record.size,
        filename=record.filename,
        mediaType=record.media_type,
        entryId=record.entry_id,
    )


@router.post(
    "/evidence",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_ROUTE,
    responses={200: {"description": "you stored the same bytes before", "model": EvidencePublic}},
)
async def upload_evidence(
    request: Request, node: NodeDep, org: CurrentOrg, response: Response
) -> EvidencePublic:
    """Store a file (multipart/form-data, field ``file``, at most 100 MiB), streamed to the evidence store.

    201 with its CID for a new file of yours; 200 when you stored the same bytes before.
    """
    upload = await receive_upload(
        request.headers.get("content-type"),
        request.headers.get("content-length"),
        request.stream(),
        max_file_size=node.evidence_max_size,
        tmp_dir=node.settings.evidence_dir / "uploads",
    )
    try:
        stored = await run_in_threadpool(service.store_upload, node, org, upload)
    finally:
        with contextlib.suppress(FileNotFoundError):
            upload.path.unlink()
    if not stored.created:
        response.status_code = status.HTTP_200_OK
    node.anchorer.wake()
    return _public(stored.record)


@router.get("/evidence")
def list_evidence(node: NodeDep, org: CurrentOrg, limit: int = 100) -> dict[str, Any]:
    rows = service.evidence_of(node, org, limit=max(1, min(limit, 1000)))
    return {"data": [_public(r).model_dump() for r in rows]}


@router.get(
    "/evidence/{cid}",
    response_class=StreamingResponse,
    responses={200: {"description": "the file's bytes", "content": {"*/*": {"schema": _BINARY}}}},
)
def read_evidence(node: NodeDep, cid: str, org: CurrentOrg) -> StreamingResponse:
    """The file, to its owner, to buyers of a footprint whose submission cites it, and to granted auditors; as
    ``application/octet-stream`` unless its declared type is a plain document type (node_service.services.
    evidence_files.media_types), never sniffed."""
    record, stream = service.open_evidence(node, org, cid)
    return StreamingResponse(
        service.iter_stream(stream),
        media_type=served_media_type(record.media_type),
        headers={
            **DOWNLOAD_HEADERS,
            "Content-Length": str(record.size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(record.filename)}",
            "ETag": f'"{record.cid}"',
            "X-Content-SHA256": record.sha256,
        },
    )


@router.post("/evidence/{cid}/grants", status_code=status.HTTP_201_CREATED)
def grant(node: NodeDep, cid: str, body: GrantRequest, org: CurrentOrg) -> dict[str, str]:
    """Let another organisation (an auditor) read your copy of the file."""
    service.grant_access(node, org, cid, body.organisation)
    return {"cid": cid, "grantedTo": body.organisation}


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@router.get(
    "/footprints/{footprint_id}/verification-package",
    tags=["footprints"],
    response_class=FileResponse,
    responses={
        200: {"description": "the package", "content": {"application/zip": {"schema": _BINARY}}},
        **problem_responses(409),
    },
)
def verification_package(node: NodeDep, footprint_id: str, org: CurrentOrg) -> FileResponse:
    """A zip for auditors: the footprint, its submission, GEC claims, the evidence you may see, a receipt for
    each, and report.md with every check (409 until all are anchored)."""
    out = temporary_package_path(node)
    try:
        build_package(node, footprint_id, org, out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return FileResponse(
        out,
        media_type="application/zip",
        filename=f"verification-package-{footprint_id}.zip",
        background=BackgroundTask(out.unlink, missing_ok=True),
    )
