"""The exporter's CBAM pages: fill in the installation form (or upload its JSON), preview the figures,
store it, download its emissions communication (the Commission's template as XLSX, JSON, XML) for the
EU importer. Calls node_service.services.cbam.service."""

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
from supplier_portal import cbam_form
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


def _org_names(p: Page) -> tuple[str, str]:
    org = p.organisation()
    return org.name_en or "", org.name_zh or ""


def _prefilled(p: Page) -> dict[str, str]:
    """What the exchange already knows: the organisation's names, the grid factor, this year's period."""
    name_en, name_zh = _org_names(p)
    year = date.today().year
    return {
        "operator_name": name_en,
        "name_local": name_zh,
        "reporting_period_start": f"{year}-01-01",
        "reporting_period_end": f"{year}-12-31",
        "grid_factor": "0.5366",
        "grid_source": p._(
            "MEE and NBS, published 2024-12-20: 2022 national average grid factor 0.5366 kgCO2/kWh"
        ),
        "cp_currency": "CNY",
        "period": str(year),
    }


def _form_page(
    p: Page,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    preview: Any = None,
    status: int = 200,
) -> Response:
    return p.render(
        "cbam_form.html",
        status=status,
        v=values,
        errors=errors or {},
        preview=preview,
        footprints=cbam.precursor_footprints(p.node, p.organisation()),
        f=cbam_form,
        opts=_options(p),
    )


def _options(p: Page) -> dict[str, list[tuple[str, str]]]:
    """Select options as (value, label in the page's language)."""

    def pairs(table: dict[str, str]) -> list[tuple[str, str]]:
        return [(value, p._(label)) for value, label in table.items()]

    return {
        "data_quality": pairs(cbam_form.DATA_QUALITY),
        "quality_assurance": pairs(cbam_form.QUALITY_ASSURANCE),
        "routes": pairs(cbam_form.ROUTE_NAMES),
        "kinds": pairs(cbam_form.SOURCE_KINDS),
        "instruments": pairs(cbam_form.CARBON_INSTRUMENTS),
        "rebates": pairs(cbam_form.REBATE_TYPES),
    }


def _translated(p: Page, failures: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name, (msgid, params) in failures.items():
        shown = {k: p._(v) if k == "label" else v for k, v in params.items()}
        texts[name] = p._(msgid, **shown)
    return texts


def _node_error_field(path: str | None) -> str:
    """The form field of a node error's field path (processes.0.goods.0.cn_code → p0_cn_code)."""
    parts = (path or "").replace("[", ".").replace("]", "").split(".")
    if len(parts) >= 4 and parts[0] == "processes" and parts[2] == "goods":
        return f"p{parts[1]}_{'route' if parts[3] == 'production_route' else 'cn_code'}"
    if len(parts) >= 3 and parts[0] == "processes" and parts[2] == "precursors":
        return "r0_mass_t" if path and "mass" in path else "r0_source"
    if parts and parts[0] == "direct_emissions":
        return "s0_id"
    return "form"


@router.get("/cbam/new")
def new_installation(p: PageDep) -> Response:
    p.signed_in("admin", "data_entry")
    return _form_page(p, _prefilled(p))


@router.post("/cbam/new")
async def submit_installation(p: PagePost, request: Request) -> Response:
    """(1) the form's values as an installation document, or the form again with every error next to its
    field; (2) preview: the node computes the figures without storing anything; (3) store: the node
    validates, stores and logs it; (4) audit; (5) show it with its downloads."""
    actor = p.signed_in("admin", "data_entry")
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    result = cbam_form.document_from_form(values)  # (1)
    if result.errors:
        return _form_page(p, values, _translated(p, result.errors), status=422)
    year = _parsed(values.get("period", "").strip(), 2023, 2100)
    if year is None or year != int(year):
        return _form_page(
            p, values, {"period": p._("The period must be a year from 2023 to 2100.")}, status=422
        )
    try:
        if values.get("action") != "store":  # (2)
            preview = cbam.preview_communication(p.node, p.organisation(), result.document, period=int(year))
            return _form_page(p, values, preview=preview)
        stored = cbam.create_installation(p.node, p.organisation(), result.document)  # (3)
    except NodeError as exc:
        field = _node_error_field(exc.field)
        text = p._(
            "This entry does not pass the CBAM calculation rules. Check the marked value and its unit."
        )
        if p.locale == "en":
            text = exc.message
        return _form_page(p, values, {field: text, "form": text}, status=exc.status)
    record_audit(p.node, "cbam.installation", actor=actor, object_id=stored.id, version=stored.version)  # (4)
    return p.redirect(f"/portal/cbam/{stored.id}")  # (5)


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
