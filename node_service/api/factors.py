"""``/factors``: the factor library — search, show (with versions), which factor an account rule gives
(resolve), import an organisation's table, publish, and the recompute notices a new factor version sends. Routes
are thin: parse, call a service, shape the response.

Reading the library is open to anonymous callers (the built-in library and published factors are public data);
a caller presenting an API token also sees its own private factors, and a token that is not valid is a 401,
never silently anonymous. Writing needs the organisation's token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from node_service.api._deps import CurrentOrg, NodeDep
from node_service.api.limits import UPLOAD_ROUTE
from node_service.api.responses import problem_responses
from node_service.errors import ValidationFailed
from node_service.services.factors import resolve as resolving
from node_service.services.factors import service
from node_service.services.factors.table_import import MAX_IMPORT_BYTES
from node_service.services.factors.views import factor_json, value_of
from node_service.services.footprints.recompute_draft import notice_json
from node_service.services.organisations.registration import authenticate_token
from node_service.services.records import Organisation

__all__ = ["router"]

router = APIRouter(tags=["factors"])
_bearer = HTTPBearer(auto_error=False, description="API token (optional: it adds your private factors)")
TABLE_FORMATS = ("csv", "xlsx")


def optional_organisation(
    node: NodeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Organisation | None:
    """The caller's organisation when it sends a token (401 when the token is not valid), else None."""
    return authenticate_token(node, credentials.credentials) if credentials is not None else None


Viewer = Annotated[Organisation | None, Depends(optional_organisation)]
READ_RESPONSES = problem_responses(401)


@router.get("/factors", responses=READ_RESPONSES)
def search(
    node: NodeDep,
    viewer: Viewer,
    q: Annotated[str | None, Query(description="Chinese or English name, pinyin, id or CPCD code")] = None,
    kind: Annotated[str | None, Query(description="material, electricity-grid, fuel, …")] = None,
    category: str | None = None,
    geography: Annotated[
        str | None, Query(description="CN-YN also finds its grid's, CN's and GLO factors")
    ] = None,
    year: int | None = None,
    unit: Annotated[
        str | None, Query(description="activity unit (t, kWh) or dimension (mass, energy)")
    ] = None,
    source: Annotated[str | None, Query(alias="sourceId", description="data source id, e.g. cpcd")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Search the factors you may use (the built-in library, published factors, your own), best first."""
    page = service.search_factors(
        node,
        viewer,
        q,
        kind=kind,
        category=category,
        geography=geography,
        year=year,
        unit=unit,
        source_id=source,
        limit=limit,
        offset=offset,
    )
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "items": [{**factor_json(h.factor), "score": h.score, "matched": list(h.matched)} for h in page.hits],
    }


@router.get(
    "/factors/resolve",
    responses={
        **READ_RESPONSES,
        404: {"description": "no factor the rule allows for this geography and year"},
    },
)
def resolve(
    node: NodeDep,
    viewer: Viewer,
    rule: Annotated[
        str, Query(max_length=100, description=f"account rule: {', '.join(resolving.RESOLVABLE_RULES)}")
    ],
    geography: Annotated[
        str, Query(max_length=40, description="the site's ISO 3166-2:CN code (CN-YN), regional grid or CN")
    ],
    year: Annotated[int, Query(description="reporting year")],
) -> dict[str, Any]:
    """The grid-electricity factor an account rule gives a site in ``geography`` reporting ``year``, with the
    rule's citations, every fallback step, and the line that says which factor, rule and version were used
    (404: no factor the rule allows; 422 names the parameter)."""
    return resolving.resolve_factor(node, viewer, rule, geography, year).as_json()


def _notice(notice: Any, *, with_draft: bool) -> dict[str, Any]:
    own = {"factorId": notice.factor_id, "oldVersion": notice.old_version, "newVersion": notice.new_version}
    return notice_json(notice, own, with_draft=with_draft)


@router.get("/factors/recompute-notices")
def recompute_notices(node: NodeDep, org: CurrentOrg, status: str | None = None) -> dict[str, Any]:
    """Your notices: a footprint of yours used a factor version that a newer one has replaced."""
    return {"data": [_notice(n, with_draft=False) for n in service.notices_of(node, org, status)]}


@router.get("/factors/recompute-notices/{notice_id}")
def recompute_notice(node: NodeDep, org: CurrentOrg, notice_id: str) -> dict[str, Any]:
    return _notice(service.notice_of(node, org, notice_id), with_draft=True)


@router.post("/factors/recompute-notices/{notice_id}/recompute", status_code=status.HTTP_201_CREATED)
def recompute(node: NodeDep, org: CurrentOrg, notice_id: str) -> dict[str, Any]:
    """Your footprint recomputed with the current factor versions, as a draft (not published, not logged)."""
    return _notice(service.recompute_notice(node, org, notice_id), with_draft=True)


@router.post(
    "/factors/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_ROUTE,
    responses={200: {"description": "every factor of the file was stored already, unchanged"}},
)
def import_factors(
    node: NodeDep,
    org: CurrentOrg,
    response: Response,
    file: Annotated[
        UploadFile,
        File(description="a factor table (CSV in UTF-8 or GB18030/GBK, or XLSX), or a licensed LCI database"),
    ],
    file_format: Annotated[
        str | None,
        Form(
            alias="format",
            description="csv or xlsx (default: from the file), or ecospold2 (.zip or .spold), simapro-csv, "
            "brightway-excel for a licensed background database read with Brightway's importers",
        ),
    ] = None,
) -> dict[str, Any]:
    """Import your own factors, all or none (docs/factors.md: the table's columns and rules, ids, licensed
    databases); a changed factor becomes a new version and footprints that used an older one get notices."""
    if file_format is not None and file_format not in (*TABLE_FORMATS, *service.LCI_FORMATS):
        raise ValidationFailed(
            f"format: got {file_format[:30]!r}, want one of {', '.join((*TABLE_FORMATS, *service.LCI_FORMATS))}",
            field="format",
            fix="leave it out for a CSV or XLSX table",
        )
    lci = file_format in service.LCI_FORMATS
    limit = service.MAX_LCI_BYTES if lci else MAX_IMPORT_BYTES
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(
            f"file: more than {limit} bytes", field="file", fix="split it, or import the database in parts"
        )
    body: dict[str, Any] = {}
    if lci and file_format is not None:
        result, summary = service.import_lci_database(node, org, data, file.filename or "", file_format)
        body["database"] = {
            "name": summary.database,
            "activities": summary.activities,
            "skipped": summary.skipped,
            "unmatchedFlows": summary.unmatched_flows,
        }
    else:
        result = service.import_factor_table(node, org, data, file.filename or "", file_format)
    if not result.stored:
        response.status_code = status.HTTP_200_OK
    return {
        "created": result.created,
        "newVersions": [{"id": i, "version": v} for i, v in result.new_versions],
        "unchanged": result.unchanged,
        "notices": result.notices,
        **body,
    }


@router.post(
    "/factors/{factor_id:path}/publish",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "published already"}},
)
def publish(node: NodeDep, org: CurrentOrg, factor_id: str, response: Response) -> dict[str, Any]:
    """Make your private factor visible to every organisation (409 when its source's terms forbid it)."""
    factor, changed = service.publish_factor(node, org, factor_id)
    if not changed:
        response.status_code = status.HTTP_200_OK
    return {**factor_json(factor), "published": True}


@router.get("/factors/{factor_id:path}", responses=READ_RESPONSES)
def show(node: NodeDep, viewer: Viewer, factor_id: str) -> dict[str, Any]:
    """A factor (its current version) and every version of it, oldest first."""
    detail = service.show_factor(node, viewer, factor_id)
    versions = []
    for v in detail.versions:
        value, value_unit = value_of(v.factor)
        versions.append(
            {
                "version": v.factor.version,
                "validFrom": v.factor.valid_from.isoformat() if v.factor.valid_from else None,
                "validTo": v.factor.valid_to.isoformat() if v.factor.valid_to else None,
                "current": v.current,
                "published": v.published,
                "value": value,
                "valueUnit": value_unit or None,
                "flows": dict(v.factor.emissions),
                "sha256": v.sha256,
                "createdAt": v.created_at.isoformat(),
            }
        )
    return {**factor_json(detail.factor), "versions": versions}
