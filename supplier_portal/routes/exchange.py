"""Pages of the exchange: dashboard, products, activity data, signing and submitting, footprints, sharing,
buyer search and requests, receipts."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from node_service.api.limits import UPLOAD_ROUTE
from node_service.credentials.errors import CredentialError
from node_service.credentials.vc import MAX_DOCUMENT_BYTES, build_credential, load_document
from node_service.errors import NotFound, NotReady
from node_service.services.evidence_files.files import cited_cids
from supplier_portal import catalogue, drafts
from supplier_portal.activity_sheet import (
    COLUMN_LABELS,
    COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    Header,
    SheetInvalid,
    build_activity,
    check_rows,
    read_upload,
    split_cids,
    template_csv,
    template_xlsx,
)
from supplier_portal.check_view import cell_errors, problem_view, summary_rows
from supplier_portal.errors import FormInvalid
from supplier_portal.evidence_view import evidence_names, footprint_evidence
from supplier_portal.factor_picker import pick_factors
from supplier_portal.footprint_view import STAGE_LABELS, chart_data, factors_used, summary
from supplier_portal.review_view import build_review
from supplier_portal.sheet.columns import (
    data_source_choices,
    generation_type_choices,
    section_choices,
    unit_choices,
)
from supplier_portal.web import Page, PagePost, PortalRoute, page

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)
PageDep = Annotated[Page, Depends(page)]
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
EMPTY_ROWS = 3


@router.get("/dashboard")
def dashboard(p: PageDep) -> Response:
    actor = p.signed_in()
    return p.render(
        "dashboard.html",
        products=catalogue.list_products(p.node, actor),
        footprints=catalogue.list_footprints(p.node, actor),
        incoming=catalogue.list_requests(p.node, actor, incoming=True),
        outgoing=catalogue.list_requests(p.node, actor, incoming=False),
    )


# --- products -----------------------------------------------------------------------------------------


@router.get("/products")
def products(p: PageDep) -> Response:
    actor = p.signed_in()
    return p.render(
        "products.html",
        products=catalogue.list_products(p.node, actor),
        units=catalogue.DECLARED_UNITS,
        errors={},
        values={"declared_unit": "t"},
    )


@router.post("/products")
async def add_product(p: PagePost, request: Request) -> Response:
    actor = p.signed_in("admin", "data_entry")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        catalogue.add_product(
            p.node,
            actor,
            form.get("identifier", ""),
            form.get("name_zh", ""),
            form.get("name_en", ""),
            form.get("declared_unit", ""),
            form.get("cn_code", ""),
        )
    except FormInvalid as exc:
        return p.render(
            "products.html",
            status=422,
            products=catalogue.list_products(p.node, actor),
            units=catalogue.DECLARED_UNITS,
            errors={exc.field: p.error_text(exc)},
            values=form,
        )
    return p.redirect("/portal/products")


# --- activity data --------------------------------------------------------------------------------------


def _default_header(product: dict[str, Any] | None) -> dict[str, str]:
    year = date.today().year - 1
    return {
        "product": product["id"] if product else "",
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "site_name": "",
        "grid_region": "",
        "produced_quantity": "",
        "comment": "",
        "evidence": "",
    }


def _submit_page(
    p: Page,
    header: dict[str, str],
    all_rows: list[dict[str, str]],
    errors: dict[str, str] | None = None,
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
    draft: drafts.DraftSummary | None = None,
    offset: int = 0,
) -> Response:
    """The grid: one page of the rows (drafts.PAGE_ROWS from ``offset``) as inputs, then empty rows; cells and
    errors are numbered as in the spreadsheet (row 2 is the first row of data)."""
    actor = p.signed_in("admin", "data_entry")
    offset = _page_start(min(offset, len(all_rows) - 1))
    rows = all_rows[offset : offset + drafts.PAGE_ROWS]
    padded = rows + [dict.fromkeys(COLUMNS, "") for _ in range(EMPTY_ROWS)]
    return p.render(
        "submit.html",
        status=status,
        products=catalogue.list_products(p.node, actor),
        header=header,
        rows=padded,
        columns=COLUMNS,
        column_labels=COLUMN_LABELS,
        sections=section_choices(p.locale),
        errors=errors or {},
        problems=problems or [],
        max_upload_mib=MAX_UPLOAD_BYTES >> 20,
        max_upload_rows=f"{MAX_ROWS:,}",
        draft=draft,
        drafts=drafts.list_drafts(p.node, actor),
        offset=offset,
        shown=len(rows),
        total=len(all_rows),
        page_rows=drafts.PAGE_ROWS,
        unit_names=unit_choices(p.locale),
        data_sources=data_source_choices(p.locale),
        generation_types=generation_type_choices(p.locale),
        evidence_names=evidence_names(
            p.node,
            p.organisation(),
            [
                *split_cids(header.get("evidence", "")),
                *(c for r in rows for c in split_cids(r.get("evidence", ""))),
            ],
        ),
    )


def _page_start(index: int) -> int:
    return max(0, index) // drafts.PAGE_ROWS * drafts.PAGE_ROWS


@router.get("/submissions/new")
def new_submission(
    p: PageDep, product: str | None = None, draft: str | None = None, fresh: int = 0, page: int = 1
) -> Response:
    """The grid with the organisation's latest draft (of ``product`` when given; reload-safe) unless
    ``fresh=1``; ``draft``: that draft; ``page``: which page of a large draft."""
    actor = p.signed_in("admin", "data_entry")
    opened: drafts.Draft | None
    if draft:
        opened = drafts.load_draft(p.node, actor, draft)
    else:
        opened = None if fresh else drafts.latest_draft(p.node, actor, product)
    if opened is not None:
        offset = (max(page, 1) - 1) * drafts.PAGE_ROWS
        header = {**_default_header(None), **opened.header}
        return _submit_page(p, header, opened.rows, draft=opened.summary, offset=offset)
    chosen = catalogue.product(p.node, actor, product) if product else None
    return _submit_page(p, _default_header(chosen), [])


@router.post("/submissions/drafts/{draft_id}/delete")
def discard_draft(p: PagePost, draft_id: str) -> Response:
    """Discard one of the organisation's drafts; the grid opens empty."""
    actor = p.signed_in("admin", "data_entry")
    drafts.delete_draft(p.node, actor, draft_id)
    return p.redirect("/portal/submissions/new?fresh=1")


@router.get("/factors/search")
def factor_search(p: PageDep, q: str = "", section: str = "", limit: int = 10) -> Response:
    """JSON for the grid's factor picker: the library's best factors for ``q`` (Chinese, English, pinyin, id or
    CPCD code) of the kind ``section`` needs, in the page's language."""
    actor = p.signed_in()
    return p.json(pick_factors(p.node, actor, q[:200], section, p.locale, p._, limit))


@router.get("/template.{kind}")
def download_template(p: PageDep, kind: str) -> Response:
    p.signed_in()
    if kind == "xlsx":
        return p.file(
            template_xlsx(locale=p.locale),
            "tanlian-activity-template.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return p.file(template_csv(locale=p.locale), "tanlian-activity-template.csv", "text/csv; charset=utf-8")


def _header_from(form: dict[str, str]) -> dict[str, str]:
    return {k: form.get(k, "").strip() for k in _default_header(None)}


def _rows_from(form: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    count = min(int(form.get("rows", "0") or 0), MAX_ROWS + EMPTY_ROWS)
    for i in range(count):
        row = {c: form.get(f"r{i}.{c}", "").strip() for c in COLUMNS}
        if any(row.values()):
            rows.append(row)
    return rows


def _cell_errors(p: Page, errors: list[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        key = f"{e.row}.{e.column}"
        text = p._(e.message, **e.params)
        out[key] = f"{out[key]} {text}" if key in out else text
    return out


async def _form_of(request: Request) -> tuple[dict[str, str], UploadFile | None]:
    # the grid sends a field per cell: up to MAX_ROWS rows of it (Starlette's default stops at 1,000 fields)
    form = await request.form(max_part_size=1024 * 1024, max_fields=(MAX_ROWS + EMPTY_ROWS) * 32 + 1000)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    upload = form.get("file")
    return fields, upload if isinstance(upload, UploadFile) else None


UPLOAD_PROBLEMS_SHOWN = 20


def _upload_summary(p: Page, errors: list[Any], heading: str) -> str:
    """One text for the upload box: how many problems, the first UPLOAD_PROBLEMS_SHOWN by row and column, and
    how many more (each is also shown at its cell when the grid has one)."""
    lines = [heading]
    for e in errors[:UPLOAD_PROBLEMS_SHOWN]:
        params = {
            k: p._(COLUMN_LABELS[v]) if k == "column" and v in COLUMN_LABELS else v
            for k, v in e.params.items()
        }
        text = p._(e.message, **params)
        if e.row == 0:
            lines.append(text)
        else:
            label = p._(COLUMN_LABELS[e.column]) if e.column in COLUMN_LABELS else e.column
            lines.append(p._("Row {row}, {column}: {text}", row=e.row, column=label, text=text))
    if len(errors) > UPLOAD_PROBLEMS_SHOWN:
        lines.append(p._("… and {n} more.", n=len(errors) - UPLOAD_PROBLEMS_SHOWN))
    return " ".join(lines)


@router.post("/submissions/upload", openapi_extra=UPLOAD_ROUTE)
async def upload_rows(p: PagePost, request: Request) -> Response:
    """Fill the grid from an uploaded CSV/XLSX (activity_sheet.read_upload: encodings, both languages' headers,
    limits); every problem is reported at once, at its cell and in a capped summary by the upload box. A
    multipart upload route (TANLIAN_MAX_UPLOAD_BYTES at the door); the file itself is held to MAX_UPLOAD_BYTES.
    The rows read are saved as the draft of the header's product and period (drafts.save_draft)."""
    actor = p.signed_in("admin", "data_entry")
    form, upload = await _form_of(request)
    header = _header_from(form)
    if upload is None or not upload.filename:
        return _submit_page(p, header, _rows_from(form), {"0.file": p._("Choose a file to upload.")}, 422)
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        rows = read_upload(upload.filename, data)
    except SheetInvalid as exc:
        errors = _cell_errors(p, exc.errors)
        errors["0.file"] = _upload_summary(
            p,
            exc.errors,
            p._("The file was not read: {n} problem(s); nothing was filled in.", n=len(exc.errors)),
        )
        return _submit_page(p, header, _rows_from(form), errors, 422)
    try:
        saved = drafts.save_draft(p.node, actor, header, rows, form.get("draft") or None)
    except FormInvalid as exc:
        return _submit_page(p, header, _rows_from(form), {f"0.{exc.field}": p.error_text(exc)}, 422)
    problems = check_rows(rows)
    errors = _cell_errors(p, problems)
    if problems:
        errors["0.file"] = _upload_summary(
            p,
            problems,
            p._("{n} problem(s) in the uploaded rows; each is shown next to its cell.", n=len(problems)),
        )
    return _submit_page(
        p, header, rows, errors, 422 if problems else 200, draft=saved, offset=_first_error_offset(errors)
    )


def _first_error_offset(errors: dict[str, str]) -> int:
    """Where the page of the first row with a problem starts (0 when only header fields have problems)."""
    numbers = [int(key.split(".", 1)[0]) for key in errors if key.split(".", 1)[0].isdigit()]
    return _page_start(min((n for n in numbers if n >= 2), default=2) - 2)


def _grid_of(p: Page, actor: Any, form: dict[str, str]) -> list[dict[str, str]]:
    """The grid's rows: the rows the page sent, in place of the page of the draft it showed (fields ``draft``,
    ``offset``, ``shown``) — a large draft is never sent whole."""
    posted = _rows_from(form)
    draft_id = form.get("draft", "")
    if not draft_id:
        return posted
    offset, shown = _int(form.get("offset")), _int(form.get("shown"))
    try:
        stored = drafts.load_draft(p.node, actor, draft_id).rows
    except NotFound:
        if offset == 0 and _int(form.get("total")) <= shown:
            return posted  # the draft went (submitted or discarded elsewhere); the page held all its rows
        raise
    return drafts.merge_page(stored, offset, shown, posted)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@router.post("/submissions/prepare")
async def prepare(p: PagePost, request: Request) -> Response:
    """Build the activity-data document, check it with the node's dry run (every problem shown next to its row
    and column, nothing typed lost) and make the unsigned credential; the browser signs it on the next page.
    ``edit=1`` (the review page's way back) or ``goto=<row offset>`` (the grid's paging): the grid again, as it
    was, without checks. The grid is saved as the draft first (drafts.save_draft): a large draft's rows come from
    the server, the page sends only the rows it shows."""
    actor = p.signed_in("admin", "data_entry")
    form, _ = await _form_of(request)
    header = _header_from(form)
    rows = _grid_of(p, actor, form)
    try:
        saved = drafts.save_draft(p.node, actor, header, rows, form.get("draft") or None)
    except FormInvalid as exc:
        return _submit_page(p, header, rows, {f"0.{exc.field}": p.error_text(exc)}, 422)
    if form.get("edit") == "1" or form.get("goto"):
        offset = _int(form.get("goto") or form.get("offset"))
        return _submit_page(p, header, rows, draft=saved, offset=offset)
    if not header["product"]:
        return _submit_page(
            p, header, rows, {"0.product": p._("Choose one of your products.")}, 422, draft=saved
        )
    product = catalogue.product(p.node, actor, header["product"])
    organisation_id = catalogue.organisation_identifier(p.node, actor)
    names = (
        [product["name_en"], product["name_zh"]]
        if p.locale == "en"
        else [product["name_zh"], product["name_en"]]
    )
    try:
        document = build_activity(
            Header(
                product_identifier=product["identifier"],
                product_name=" / ".join(n for n in names if n) or None,
                organisation_id=organisation_id,
                period_start=header["period_start"],
                period_end=header["period_end"],
                site_name=header["site_name"],
                grid_region=header["grid_region"],
                declared_unit=product["declared_unit"],
                produced_quantity=header["produced_quantity"],
                comment=header["comment"] or None,
                evidence=header["evidence"],
            ),
            rows,
        )
    except SheetInvalid as exc:
        errors = _cell_errors(p, exc.errors)
        return _submit_page(p, header, rows, errors, 422, draft=saved, offset=_first_error_offset(errors))
    checked = catalogue.check_draft(p.node, actor, document)
    if not checked["ok"]:
        problems = checked["problems"]
        errors = cell_errors(p._, problems, rows)
        listed = summary_rows(p._, problems, rows)
        offset = _first_error_offset(errors)
        return _submit_page(p, header, rows, errors, 422, listed, draft=saved, offset=offset)
    credential = build_credential(document, actor.organisation_did, credential_id=f"urn:uuid:{uuid.uuid4()}")
    return p.render(
        "review.html",
        credential=credential,
        review=build_review(credential, checked["preview"], p._, p.locale, document.get("productName")),
        preview=checked["preview"],
        back_fields=await _back_fields(request),
        evidence_names=evidence_names(p.node, p.organisation(), cited_cids(document)),
    )


async def _back_fields(request: Request) -> list[tuple[str, str]]:
    """Every field of the grid's form as it was sent (rows, evidence references, header; any field name the
    grid uses), for the review page's way back: nothing typed is lost after a failed signature or submission."""
    form = await request.form()  # parsed once already: the same form
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k not in ("csrf_token", "edit")]


@router.post("/submissions/check")
async def check(p: PagePost, request: Request) -> Response:
    """JSON for the pages' scripts: the node's dry run of an unsigned credential (or its activity data) of the
    signed-in organisation, each problem in the user's language with where it is; stores nothing."""
    actor = p.signed_in("admin", "data_entry")
    document = await _json_body(request)
    checked = catalogue.check_draft(p.node, actor, document)
    return p.json(
        {
            "ok": checked["ok"],
            "problems": [problem_view(p._, problem, None) for problem in checked["problems"]],
            "preview": checked["preview"],
        }
    )


async def _json_body(request: Request) -> dict[str, Any]:
    """The credential a page's script sent as JSON."""
    if request.headers.get("content-type", "").startswith(FORMS):
        # a form's body was read for its CSRF field: it is no JSON document (and cannot be read again)
        raise FormInvalid(
            "The credential is not valid JSON: {detail}", field="credential", detail="a form was sent"
        )
    raw = await request.body()
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise FormInvalid("The credential is too large.", field="credential")
    try:
        return load_document(raw)
    except CredentialError as exc:
        raise FormInvalid(
            "The credential is not valid JSON: {detail}", field="credential", detail=str(exc)
        ) from exc


@router.post("/submissions")
async def submit(p: PagePost, request: Request) -> Response:
    """JSON from the review page: the credential the browser signed."""
    actor = p.signed_in("admin", "data_entry")
    credential = await _json_body(request)
    accepted = catalogue.submit_signed(p.node, actor, credential)
    if isinstance(subject := credential.get("credentialSubject"), dict):
        drafts.delete_submitted(p.node, actor, subject)  # submitted: the draft of its product and period goes
    return p.json(
        {
            "submissionId": accepted.submission.id,
            "footprintId": accepted.footprint.id,
            "next": f"/portal/footprints/{accepted.footprint.id}",
        },
        status=201 if accepted.created else 200,
    )


# --- footprints -----------------------------------------------------------------------------------------


@router.get("/footprints/{footprint_id}")
def footprint(p: PageDep, footprint_id: str) -> Response:
    actor = p.signed_in()
    row, document, _sha = catalogue.get_footprint(p.node, actor, footprint_id)
    mine = row.supplier_did == actor.organisation_did
    charts = chart_data(document, p._)
    return p.render(
        "footprint.html",
        row=row,
        doc=document,
        s=summary(document),
        charts=charts,
        used=factors_used(document.get("result"), p.locale),
        stage_labels=STAGE_LABELS,
        mine=mine,
        may_publish=mine and actor.may("admin", "data_entry"),
        buyers=catalogue.buyers(p.node, actor) if mine else [],
        published=request_flag(p, "published"),
        evidence=footprint_evidence(p.node, footprint_id, p.organisation(), p._),
    )


def request_flag(p: Page, name: str) -> bool:
    return p.request.query_params.get(name) == "1"


@router.get("/footprints/{footprint_id}/document.json")
def footprint_document(p: PageDep, footprint_id: str) -> Response:
    actor = p.signed_in()
    _row, document, sha = catalogue.get_footprint(p.node, actor, footprint_id)
    body = json.dumps({"id": footprint_id, "sha256": sha, "document": document}, ensure_ascii=False, indent=2)
    return p.file(body.encode(), f"footprint-{footprint_id}.json", "application/json")


@router.get("/footprints/{footprint_id}/credential.json")
def footprint_credential(p: PageDep, footprint_id: str) -> Response:
    """The signed activity-data credential behind an own footprint (for tanlian verify-credential)."""
    actor = p.signed_in()
    row, document, _sha = catalogue.get_footprint(p.node, actor, footprint_id)
    if row.supplier_did != actor.organisation_did:
        raise FormInvalid("Only the supplier can download its signed activity data.", field="credential")
    credential = catalogue.activity_credential(p.node, document["submissionId"])
    body = json.dumps(credential, ensure_ascii=False, indent=2)
    return p.file(body.encode(), f"activity-{footprint_id}.json", "application/json")


@router.post("/footprints/{footprint_id}/publish")
async def publish(p: PagePost, request: Request, footprint_id: str) -> Response:
    actor = p.signed_in("admin", "data_entry")
    form = await request.form()
    chosen = [v for k, v in form.multi_items() if k == "buyer" and isinstance(v, str)]
    try:
        catalogue.publish(p.node, actor, footprint_id, chosen)
    except FormInvalid as exc:
        row, document, _sha = catalogue.get_footprint(p.node, actor, footprint_id)
        return p.render(
            "footprint.html",
            status=422,
            row=row,
            doc=document,
            s=summary(document),
            charts=chart_data(document, p._),
            used=factors_used(document.get("result"), p.locale),
            stage_labels=STAGE_LABELS,
            mine=True,
            may_publish=True,
            buyers=catalogue.buyers(p.node, actor),
            publish_error=p.error_text(exc),
            published=False,
            evidence=footprint_evidence(p.node, footprint_id, p.organisation(), p._),
        )
    return p.redirect(f"/portal/footprints/{footprint_id}?published=1")


# --- buyers ----------------------------------------------------------------------------------------------


@router.get("/shared")
def shared(p: PageDep, product: str = "", supplier: str = "", cn_code: str = "") -> Response:
    actor = p.signed_in()
    found = catalogue.search_shared(p.node, actor, product=product, supplier=supplier, cn_code=cn_code)
    return p.render(
        "shared.html",
        found=found,
        query={"product": product, "supplier": supplier, "cn_code": cn_code},
        outgoing=catalogue.list_requests(p.node, actor, incoming=False),
        errors={},
        values={},
    )


@router.post("/requests")
async def request_footprint(p: PagePost, request: Request) -> Response:
    actor = p.signed_in("admin", "data_entry")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        catalogue.request_footprint(
            p.node,
            actor,
            form.get("supplier", ""),
            form.get("product_identifier", ""),
            form.get("message", ""),
        )
    except FormInvalid as exc:
        return p.render(
            "shared.html",
            status=422,
            found=catalogue.search_shared(p.node, actor),
            query={"product": "", "supplier": "", "cn_code": ""},
            outgoing=catalogue.list_requests(p.node, actor, incoming=False),
            errors={exc.field: p.error_text(exc)},
            values=form,
        )
    return p.redirect("/portal/shared")


# --- receipts ----------------------------------------------------------------------------------------------


def _receipt(p: Page, entry_id: str) -> dict[str, Any] | None:
    return catalogue.receipt(p.node, p.signed_in(), entry_id)


@router.get("/receipts/{entry_id}")
def receipt_page(p: PageDep, entry_id: str) -> Response:
    receipt = _receipt(p, entry_id)
    return p.render(
        "receipt.html",
        entry_id=entry_id,
        receipt=receipt,
        receipt_json=json.dumps(receipt, indent=2) if receipt else "",
        wait_seconds=p.node.settings.anchor_interval_seconds,
    )


@router.get("/receipts/{entry_id}/receipt.json")
def receipt_download(p: PageDep, entry_id: str) -> Response:
    receipt = _receipt(p, entry_id)
    if receipt is None:
        raise NotReady(f"entry {entry_id} is not anchored yet", fix="retry in a few seconds")
    safe = entry_id.replace(":", "_").replace("/", "_")
    return p.file((json.dumps(receipt, indent=2) + "\n").encode(), f"receipt-{safe}.json", "application/json")
