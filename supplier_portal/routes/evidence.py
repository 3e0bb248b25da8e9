"""Evidence files (upload with progress, list with CIDs, download) and a footprint's study report (PDF) and
verification package. Every route calls the node's service layer, never its HTTP API."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from node_service.api.limits import UPLOAD_ROUTE
from node_service.evidence import EvidenceTooLargeError
from node_service.services.evidence_files import files as evidence
from node_service.services.evidence_files.errors import UploadInvalid
from node_service.services.evidence_files.media_types import DOWNLOAD_HEADERS, served_media_type
from node_service.services.evidence_files.package import build_package, temporary_package_path
from node_service.services.evidence_files.upload import Upload, receive_upload
from node_service.services.reports.messages import parse_lang
from node_service.services.reports.service import footprint_report
from supplier_portal.accounts import record_audit
from supplier_portal.web import Page, PagePost, PortalRoute, page

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)
PageDep = Annotated[Page, Depends(page)]
MAX_LISTED = 500


# --- evidence ------------------------------------------------------------------------------------------


@router.get("/evidence")
def evidence_page(p: PageDep) -> Response:
    p.signed_in()
    org = p.organisation()
    files = [
        {
            "cid": r.cid,
            "sha256": r.sha256,
            "size": r.size,
            "filename": r.filename,
            "media_type": r.media_type,
            "entry_id": r.entry_id,
            "created_at": r.created_at,
        }
        for r in evidence.evidence_of(p.node, org, limit=MAX_LISTED)
    ]
    return p.render(
        "evidence.html",
        files=files,
        stored=p.request.query_params.get("stored", ""),
        max_mib=p.node.evidence_max_size >> 20,
    )


async def _form_upload(p: Page, request: Request) -> Upload:
    """The no-script path: the form was parsed (and its CSRF field checked); copy its file part, bounded."""
    part = (await request.form()).get("file")
    if not isinstance(part, UploadFile) or not part.filename:
        raise UploadInvalid("no file chosen", field="file", fix="choose a file to upload")
    tmp_dir = p.node.settings.evidence_dir / "uploads"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".part")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := await part.read(1 << 20):
                size += len(chunk)
                if size > p.node.evidence_max_size:
                    raise EvidenceTooLargeError(
                        f"the file passed {p.node.evidence_max_size} bytes, the most an evidence file may have",
                        fix="split the file or store a smaller export",
                        field="file",
                    )
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    filename = Path(part.filename.replace("\\", "/")).name[:255] or "evidence"
    return Upload(Path(name), filename, part.content_type or "application/octet-stream", size)


@router.post("/evidence", openapi_extra=UPLOAD_ROUTE)
async def upload_evidence(p: PagePost, request: Request) -> Response:
    """(1) receive the file: from the page's XMLHttpRequest (X-CSRF-Token header) streamed chunk by chunk
    into the evidence store's upload folder, or from the plain form; (2) store it with the node's evidence
    service (CID, log entry); (3) record it in the audit trail; (4) answer JSON to scripts, else redirect."""
    actor = p.signed_in("admin", "data_entry")
    org = p.organisation()
    # (1)
    if request.headers.get("x-csrf-token") is not None:
        upload = await receive_upload(
            request.headers.get("content-type"),
            request.headers.get("content-length"),
            request.stream(),
            max_file_size=p.node.evidence_max_size,
            tmp_dir=p.node.settings.evidence_dir / "uploads",
        )
    else:
        upload = await _form_upload(p, request)
    # (2)
    try:
        stored = await run_in_threadpool(evidence.store_upload, p.node, org, upload)
    finally:
        with contextlib.suppress(FileNotFoundError):
            upload.path.unlink()
    p.node.anchorer.wake()
    record = stored.record
    # (3)
    record_audit(p.node, "evidence.upload", actor=actor, object_id=record.cid, filename=record.filename)
    # (4)
    if "application/json" in request.headers.get("accept", ""):
        return p.json(
            {
                "cid": record.cid,
                "sha256": record.sha256,
                "size": record.size,
                "filename": record.filename,
                "entryId": record.entry_id,
                "created": stored.created,
            },
            status=201 if stored.created else 200,
        )
    return p.redirect(f"/portal/evidence?stored={record.cid}")


@router.get("/evidence/{cid}/file")
def evidence_file(p: PageDep, cid: str) -> Response:
    """The file, to whoever the evidence service lets read it (owner, buyers of citing footprints, grants)."""
    p.signed_in()
    record, stream = evidence.open_evidence(p.node, p.organisation(), cid)
    response = StreamingResponse(
        evidence.iter_stream(stream),
        media_type=served_media_type(record.media_type),
        headers=DOWNLOAD_HEADERS,
    )
    response.headers["Content-Length"] = str(record.size)
    response.headers["X-Content-SHA256"] = record.sha256
    return p.attach(response, record.filename)


# --- a footprint's report and verification package ----------------------------------------------------


@router.get("/footprints/{footprint_id}/report.pdf")
def report_pdf(p: PageDep, footprint_id: str, lang: str = "zh") -> Response:
    """The GB/T 24067-2024 study report (zh or en), for the owner and the organisations it is shared with."""
    p.signed_in()
    report = footprint_report(p.node, footprint_id, p.organisation(), parse_lang(lang))
    return p.file(report.pdf, report.filename, "application/pdf")


@router.get("/footprints/{footprint_id}/verification-package")
def verification_package(p: PageDep, footprint_id: str) -> Response:
    """The auditor's zip (footprint, submission, GEC claims, visible evidence, receipts, report.md)."""
    p.signed_in()
    org = p.organisation()
    out = temporary_package_path(p.node)
    try:
        build_package(p.node, footprint_id, org, out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return p.temporary_file(out, f"verification-package-{footprint_id}.zip", "application/zip")
