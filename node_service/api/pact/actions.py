"""The PACT actions: ListFootprints and GetFootprint (v3 at /3, v2.3 at /2; the fast path calls
:func:`read_action` too), Events, and a footprint's receipt for a PACT client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from node_service.api._deps import NodeDep
from node_service.api.pact._route import (
    MAX_EVENT_BYTES,
    PactDep,
    PactRoute,
    base_url,
    error_response,
    require_https,
)
from node_service.api.pact.state import PactState, pact_state
from node_service.api.responses import pact_errors
from node_service.services.pact import service as pact
from node_service.services.pact.actions.events import parse_cloudevent
from node_service.services.pact.errors import BadRequest

# PACT error responses ({"code","message"}): 400 also for plain HTTP when the host refuses it, 401 for a bad
# or expired token, 403 for a footprint not shared with the caller (the PACT spec's AccessDenied)
router = APIRouter(route_class=PactRoute, tags=["pact"], responses=pact_errors(400, 401, 403))
_FOUND = pact_errors(404)


# ---------------------------------------------------------------- the actions
def _query_lists(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def _list(request: Request, state: PactState, major: int) -> Response:
    """ListFootprints in one short read (token check, page, documents not cached yet)."""
    base = base_url(request)
    page = state.reads.list_page(request.headers.get("authorization"), _query_lists(request), base, major)
    headers = {}
    if page.next_cursor is not None:
        keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "limit")]
        query = urlencode([*keep, ("limit", str(page.limit)), ("cursor", page.next_cursor)])
        headers["link"] = f'<{base}{request.url.path}?{query}>; rel="next"'
    return Response(
        b'{"data":[' + b",".join(page.fragments) + b"]}", media_type="application/json", headers=headers
    )


def _get(request: Request, state: PactState, footprint_id: str, major: int) -> Response:
    """GetFootprint in one short read."""
    base = base_url(request)
    fragment = state.reads.footprint(request.headers.get("authorization"), footprint_id, base, major)
    return Response(b'{"data":' + fragment + b"}", media_type="application/json")


async def _read(request: Request, work: Callable[[PactState], Response]) -> Response:
    """Run a short database read (ListFootprints, GetFootprint) on the event loop when ``reader_threads`` is 0
    (the default: a few index reads cost less than handing them to a thread), else in the PACT readers' own
    thread pool of at most ``reader_threads`` (never more than the connection pool keeps, so nothing waits for a
    connection while holding a thread). The read routes take no dependencies, because FastAPI runs plain
    ``def`` dependencies in the default thread pool: one thread hop per dependency."""
    state = pact_state(request)
    if state.reader_limit == 0:
        return work(state)
    return await anyio.to_thread.run_sync(lambda: work(state), limiter=state.readers())


async def _events(request: Request, state: PactState, node: Any, major: int) -> Response:
    sender = pact.bearer_organisation(node, state.keys, request.headers.get("authorization"))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/cloudevents+json", "application/json"):
        raise BadRequest(f"content-type {content_type[:60]!r}: want application/cloudevents+json")
    body = await request.body()
    if len(body) > MAX_EVENT_BYTES:
        raise BadRequest(f"event: {len(body)} bytes, want at most {MAX_EVENT_BYTES}")
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("event: the body is not JSON", fix="send a CloudEvents 1.0 JSON event") from exc
    event = parse_cloudevent(parsed)
    created = pact.receive_event(node, sender, event, major, base_url(request))
    if created and state.worker is not None:
        state.worker.wake()
    if major == 2:  # v2.3.3 documents a JSON object for 200; v3.0 documents no body
        return Response(b"{}", media_type="application/json")
    return Response(status_code=200)


async def read_action(request: Request, major: int, footprint_id: str | None) -> Response:
    """ListFootprints (``footprint_id`` None) or GetFootprint of the PACT ``major`` version, with the same checks
    and error responses as the routes below: what :class:`~node_service.api.pact.fastpath.PactReadFastPath` calls
    without FastAPI's routing and dependency machinery."""
    try:
        require_https(request)
        if footprint_id is None:
            return await _read(request, lambda state: _list(request, state, major))
        return await _read(request, lambda state: _get(request, state, footprint_id, major))
    except Exception as exc:
        return error_response(exc, request)


@router.get("/3/footprints", summary="Action ListFootprints (v3)")
async def list_v3(request: Request) -> Response:
    return await _read(request, lambda state: _list(request, state, 3))


@router.get("/3/footprints/{footprint_id}", summary="Action GetFootprint (v3)", responses=_FOUND)
async def get_v3(footprint_id: str, request: Request) -> Response:
    return await _read(request, lambda state: _get(request, state, footprint_id, 3))


@router.post("/3/events", summary="Action Events (v3)")
async def events_v3(request: Request, state: PactDep, node: NodeDep) -> Response:
    return await _events(request, state, node, 3)


@router.get("/2/footprints", summary="Action ListFootprints (v2.3)")
async def list_v2(request: Request) -> Response:
    return await _read(request, lambda state: _list(request, state, 2))


@router.get("/2/footprints/{footprint_id}", summary="Action GetFootprint (v2.3)", responses=_FOUND)
async def get_v2(footprint_id: str, request: Request) -> Response:
    return await _read(request, lambda state: _get(request, state, footprint_id, 2))


@router.post("/2/events", summary="Action Events (v2.3)")
async def events_v2(request: Request, state: PactDep, node: NodeDep) -> Response:
    return await _events(request, state, node, 2)


@router.get(
    "/pact/receipts/{footprint_id}", summary="The receipt of a footprint, for a PACT client", responses=_FOUND
)
def pact_receipt(footprint_id: str, request: Request, state: PactDep, node: NodeDep) -> dict[str, Any]:
    """The footprint's receipt (DESIGN.md format) to a PACT client that may see the footprint."""
    return pact.footprint_receipt(node, state.keys, request.headers.get("authorization"), footprint_id)
