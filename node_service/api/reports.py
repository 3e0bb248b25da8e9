"""``GET /footprints/{id}/report.pdf``: the study report, for the owner and whom the footprint is shared with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from node_service.api._deps import CurrentOrg, NodeDep
from node_service.services.reports.messages import LANGUAGES, Lang, parse_lang
from node_service.services.reports.service import footprint_report

__all__ = ["router"]

router = APIRouter(tags=["footprints"])


def _from_accept_language(header: str | None) -> Lang:
    """The first of zh/en in an Accept-Language header, by q-value; zh when neither is asked for."""
    if not header:
        return "zh"
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return parse_lang(sorted(ranked)[0][2]) if ranked else "zh"


@router.get(
    "/footprints/{footprint_id}/report.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the GB/T 24067-2024 CFP study report"},
        404: {"description": "no such footprint visible to you"},
        422: {"description": "lang is not zh or en"},
        503: {"description": "the CJK font is not installed on the node"},
    },
)
def report_pdf(
    node: NodeDep,
    org: CurrentOrg,
    footprint_id: str,
    lang: Annotated[
        str | None, Query(description="zh (简体中文) or en; default from Accept-Language, else zh")
    ] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """The CFP study report (GB/T 24067-2024 clause 7) as PDF, with the footprint's log entry and receipt."""
    chosen = parse_lang(lang) if lang is not None else _from_accept_language(accept_language)
    report = footprint_report(node, footprint_id, org, chosen)
    return Response(
        content=report.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{report.filename}"',
            "Content-Language": "zh-CN" if chosen == "zh" else "en",
            "Cache-Control": "private, no-cache",
            "X-Tanlian-Anchored": "true" if report.anchored else "false",
        },
    )
