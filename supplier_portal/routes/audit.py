"""The auditor's page (no account needed) and the portal's static files (own scripts, pinned ECharts)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from node_service.api.limits import UPLOAD_ROUTE
from node_service.credentials.json_nesting import nests_deeper_than
from node_service.credentials.vc import MAX_DEPTH
from node_service.errors import NotFound
from node_service.log.heads import exchange_contract
from node_service.settings import repo_root
from node_service.verification import verify_receipt
from supplier_portal.web import Page, PagePost, PortalRoute, page

__all__ = ["ECHARTS_FILE", "router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)
PageDep = Annotated[Page, Depends(page)]

MAX_RECEIPT_BYTES = 1024 * 1024
MAX_EVIDENCE_BYTES = 256 * 1024 * 1024
STATIC = Path(__file__).resolve().parent.parent / "static"  # supplier_portal/static
ECHARTS_FILE = repo_root() / "node_modules" / "echarts" / "dist" / "echarts.min.js"
_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


@router.get("/verify")
def verify_form(p: PageDep) -> Response:
    return p.render("verify.html", report=None, errors={})


def _rpc_url(p: Page) -> str | None:
    return p.node.local_devnet_rpc or p.node.settings.chain_rpc


@router.post("/verify", openapi_extra=UPLOAD_ROUTE)
async def verify(p: PagePost, request: Request) -> Response:
    """(1) read the receipt (≤ 1 MiB JSON object); (2) spool the optional file to a temporary file;
    (3) run the node's receipt checklist against this node's chain; (4) add whether the receipt names this
    exchange's anchor contract, current or earlier."""
    form = await request.form(max_part_size=1024 * 1024)
    receipt_file, evidence = form.get("receipt"), form.get("file")
    errors: dict[str, str] = {}
    # (1)
    receipt: dict[str, Any] | None = None
    if not isinstance(receipt_file, UploadFile) or not receipt_file.filename:
        errors["receipt"] = p._("Choose the receipt file (JSON).")
    else:
        raw = await receipt_file.read(MAX_RECEIPT_BYTES + 1)
        if len(raw) > MAX_RECEIPT_BYTES:
            errors["receipt"] = p._("A receipt is at most 1 MiB; this is not a receipt.")
        else:
            try:  # nesting checked before parsing (node_service.credentials.json_nesting)
                value = None if nests_deeper_than(raw, MAX_DEPTH) else json.loads(raw)
                receipt = value if isinstance(value, dict) else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                receipt = None
            if receipt is None:
                errors["receipt"] = p._("The receipt is not a JSON object.")
    if errors or receipt is None:
        return p.render("verify.html", status=422, report=None, errors=errors)
    with tempfile.TemporaryDirectory(prefix="tanlian-verify-") as tmp:
        # (2)
        path: Path | None = None
        if isinstance(evidence, UploadFile) and evidence.filename:
            path = Path(tmp) / Path(evidence.filename).name
            size = 0
            with path.open("wb") as out:
                while chunk := await evidence.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_EVIDENCE_BYTES:
                        return p.render(
                            "verify.html",
                            status=422,
                            report=None,
                            errors={
                                "file": p._("Files above 256 MiB are checked with tanlian receipt verify.")
                            },
                        )
                    out.write(chunk)
        # (3)
        report = verify_receipt(receipt, rpc_url=_rpc_url(p), file=path)
    checks = [c.as_dict() for c in report.checks]
    # (4) the current contract or one this exchange anchored in before a redeployment (docs/operations.md)
    found = receipt.get("anchor")
    anchor: dict[str, Any] = found if isinstance(found, dict) else {}
    known = exchange_contract(p.node.db, anchor.get("chainId"), anchor.get("contract"))
    named = known is not None
    if known is None:
        detail = p._("contract {contract} on chain {chain}: not this exchange's (it anchors at {ours})")
    elif known["retiredAt"] is None:
        detail = p._("contract {contract} on chain {chain}: this exchange's anchor contract")
    else:
        detail = p._(
            "contract {contract} on chain {chain}: this exchange's anchor contract until {retired} "
            "(since replaced by {ours})"
        )
    checks.append(
        {
            "check": "exchange",
            "ok": named,
            "detail": detail.format(
                contract=anchor.get("contract"),
                chain=anchor.get("chainId"),
                ours=p.node.deployment.contract_address,
                retired=(known or {}).get("retiredAt") or "",
            ),
        }
    )
    ok = report.ok and named
    return p.render(
        "verify.html", report={"ok": ok, "checks": checks, "entry": receipt.get("entry")}, errors={}
    )


@router.get("/static/vendor/echarts.min.js")
def echarts() -> FileResponse:
    if not ECHARTS_FILE.is_file():
        raise NotFound(
            "ECharts is not installed", fix="run make install (npm ci installs the pinned echarts)"
        )
    return FileResponse(ECHARTS_FILE, media_type=_MEDIA[".js"], headers={"Cache-Control": "max-age=86400"})


@router.get("/static/{folder}/{name}")
def static(folder: str, name: str) -> FileResponse:
    path = (STATIC / folder / name).resolve()
    if path.parent.parent != STATIC or path.suffix not in _MEDIA or not path.is_file():
        raise NotFound(f"no static file {folder}/{name}", fix="check the address")
    return FileResponse(path, media_type=_MEDIA[path.suffix], headers={"Cache-Control": "no-cache"})
