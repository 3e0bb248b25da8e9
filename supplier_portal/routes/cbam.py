"""The exporter's CBAM page: upload an installation JSON, see it, download its emissions communication
(XLSX, JSON, XML) for the EU importer. Calls node_service.services.cbam.service."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from node_service.credentials.json_nesting import nests_deeper_than
from node_service.credentials.vc import MAX_DEPTH
from node_service.errors import NodeError
from node_service.services.cbam import service as cbam
from supplier_portal.accounts import record_audit
from supplier_portal.errors import FormInvalid
from supplier_portal.web import Page, PagePost, PortalRoute, page

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)
PageDep = Annotated[Page, Depends(page)]
MAX_INSTALLATION_BYTES = 2 * 1024 * 1024
FORMATS = ("xlsx", "json", "xml")


def _installations(p: Page) -> list[dict[str, Any]]:
    actor = p.signed_in()
    return [
        {
            "id": r.id,
            "installation_id": r.installation_id,
            "version": r.version,
            "updated_at": r.updated_at,
        }
        for r in cbam.installations_of(p.node, actor.organisation_id)
    ]


def _list_page(p: Page, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return p.render(
        "cbam.html", status=status, installations=_installations(p), errors=errors or {}, document=""
    )


async def _document(request: Request) -> Any:
    """The installation JSON from the file part ``installation`` or, when no file is chosen, the text field."""
    form = await request.form(max_part_size=MAX_INSTALLATION_BYTES)
    part, text = form.get("installation"), form.get("document")
    if isinstance(part, UploadFile) and part.filename:
        raw = await part.read(MAX_INSTALLATION_BYTES + 1)
    elif isinstance(text, str) and text.strip():
        raw = text.encode()
    else:
        raise FormInvalid("Choose the installation JSON file or paste it.", field="installation")
    if len(raw) > MAX_INSTALLATION_BYTES:
        raise FormInvalid("An installation JSON is at most 2 MiB.", field="installation")
    if nests_deeper_than(raw, MAX_DEPTH):  # before parsing (node_service.credentials.json_nesting)
        raise FormInvalid(
            "The document is nested too deeply: at most {limit} levels.",
            field="installation",
            limit=MAX_DEPTH,
        )
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormInvalid("The file is not JSON: {detail}", field="installation", detail=str(exc)) from exc


@router.get("/cbam")
def cbam_page(p: PageDep) -> Response:
    p.signed_in()
    return _list_page(p)


@router.post("/cbam")
async def add_installation(p: PagePost, request: Request) -> Response:
    """(1) read the JSON; (2) the node validates, stores and logs it (errors shown next to the upload);
    (3) audit; (4) show it."""
    actor = p.signed_in("admin", "data_entry")
    try:
        document = await _document(request)  # (1)
        stored = cbam.create_installation(p.node, p.organisation(), document)  # (2)
    except NodeError as exc:
        return _list_page(p, {"installation": p.error_text(exc)}, status=exc.status)
    record_audit(p.node, "cbam.installation", actor=actor, object_id=stored.id, version=stored.version)  # (3)
    return p.redirect(f"/portal/cbam/{stored.id}")  # (4)


@router.get("/cbam/{record_id}")
def installation_page(p: PageDep, record_id: str) -> Response:
    p.signed_in()
    stored = cbam.get_installation(p.node, p.organisation(), record_id)
    return p.render(
        "cbam_installation.html",
        stored=stored,
        doc=stored.document,
        pretty=json.dumps(stored.document, ensure_ascii=False, indent=2),
        formats=FORMATS,
        period=date.today().year,
    )


def _parsed(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


@router.get("/cbam/{record_id}/communication.{fmt}")
def communication(p: PageDep, record_id: str, fmt: str, period: str = "", price: str = "") -> Response:
    """The emissions communication for ``period`` (409 page until the installation's receipt is anchored)."""
    p.signed_in()
    if fmt not in FORMATS:
        raise FormInvalid("Choose XLSX, JSON or XML.", field="format")
    year = _parsed(period.strip(), 2023, 2100)
    if year is None or year != int(year):
        raise FormInvalid("The period must be a year from 2023 to 2100.", field="period")
    certificate_price = _parsed(price.strip(), 0, 1e6) if price.strip() else None
    if price.strip() and certificate_price is None:
        raise FormInvalid(
            "The certificate price must be a number of euros per tCO2e, 0 or more.", field="price"
        )
    file = cbam.communication_file(
        p.node,
        p.organisation(),
        record_id,
        period=int(year),
        fmt=fmt,  # type: ignore[arg-type]  # checked against FORMATS above
        certificate_price_eur=certificate_price,
    )
    return p.file(file.content, file.filename, file.media_type)
