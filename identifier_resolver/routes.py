"""The Handle.Net HTTP JSON REST API as a FastAPI router.

Routes (thin: parse, call resolver/management, shape the body):

- ``GET /api/handles/{handle}?type=…&index=…`` — resolve (repeatable filters; a value matches
  when its index OR its type matches; ``type`` ending in ``.`` includes subtypes).
- ``PUT /api/handles/{handle}[?index=…][&overwrite=false]`` — create/replace (authorised).
- ``DELETE /api/handles/{handle}[?index=…]`` — delete the record or some values (authorised).
- ``GET /api/handles?prefix=P[&page=N&pageSize=M]`` — list handles under a prefix (authorised).

Response codes and HTTP statuses follow the Handle.Net REST API documentation:

============  =============================  ===================================================
responseCode  meaning                        HTTP
============  =============================  ===================================================
1             success                        200 (201 when PUT created the handle)
2             unexpected / upstream failure  500
6             recursion count too high       500
100           handle not found               404
101           handle already exists          409
102           invalid handle                 400
200           values not found               200 when resolving with filters, else 400
201           value already exists           409
202           invalid value                  400
301           server not responsible         400
401           insufficient permissions       403
402           authentication needed          401
============  =============================  ===================================================

``authorize(request, prefix)`` is supplied by the node: it returns True when the caller may manage
records under ``prefix``, False when it may not (403), and raises
:class:`AuthenticationRequiredError` when the request carries no usable credentials (401). It is
called from a worker thread and must be synchronous. Without it, management routes answer 401.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from identifier_resolver.client import HOPS_HEADER
from identifier_resolver.errors import (
    AuthenticationRequiredError,
    HandleExistsError,
    HandleNotFoundError,
    HandleValueError,
    IdentifierError,
    IdentifierResolverError,
    NotResponsibleError,
    PermissionDeniedError,
    RecursionLimitError,
    UpstreamError,
    ValueExistsError,
    ValuesNotFoundError,
)
from identifier_resolver.management import delete_values, put_values, require_authority
from identifier_resolver.records import parse_values_body
from identifier_resolver.resolver import Resolver
from identifier_resolver.store import HandleRecordStore
from identifier_resolver.syntax.handle import Handle, parse_handle

__all__ = ["Authorize", "create_router", "handle_error_status"]

Authorize = Callable[[Request, str], bool]
MAX_BODY_BYTES = 1024 * 1024
MAX_PAGE_SIZE = 10_000

# Most specific classes first: NotResponsibleError is a HandleNotFoundError.
_ERROR_STATUS: tuple[tuple[type[IdentifierResolverError], int, int], ...] = (
    (NotResponsibleError, 400, 301),
    (HandleNotFoundError, 404, 100),
    (HandleExistsError, 409, 101),
    (IdentifierError, 400, 102),
    (ValuesNotFoundError, 400, 200),
    (ValueExistsError, 409, 201),
    (HandleValueError, 400, 202),
    (PermissionDeniedError, 403, 401),
    (AuthenticationRequiredError, 401, 402),
    (RecursionLimitError, 500, 6),
    (UpstreamError, 500, 2),
)


def handle_error_status(exc: IdentifierResolverError) -> tuple[int, int]:
    """(HTTP status, Handle responseCode) for an error of this package."""
    for cls, http_status, code in _ERROR_STATUS:
        if isinstance(exc, cls):
            return http_status, code
    return 500, 2


def _error(handle: str, exc: IdentifierResolverError) -> JSONResponse:
    http_status, code = handle_error_status(exc)
    headers = {"WWW-Authenticate": 'Basic realm="handle"'} if http_status == 401 else None
    return JSONResponse({"responseCode": code, "handle": handle, "message": str(exc)}, http_status, headers)


def _int_params(request: Request, name: str) -> list[int]:
    out = []
    for raw in request.query_params.getlist(name):
        if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
            raise HandleValueError(name, f"got {raw!r}, want a positive integer", f"write ?{name}=1")
        out.append(int(raw))
    return out


def _hops(request: Request) -> int:
    raw = request.headers.get(HOPS_HEADER, "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0


def _authorise(authorize: Authorize | None, request: Request, prefix: str) -> None:
    if authorize is None:
        raise AuthenticationRequiredError("record management is not enabled on this node")
    if not authorize(request, prefix):
        raise PermissionDeniedError(prefix)


def _read_json(request_body: bytes) -> Any:
    if len(request_body) > MAX_BODY_BYTES:
        raise HandleValueError(
            "body", f"got {len(request_body)} bytes, want <= {MAX_BODY_BYTES}", "send less"
        )
    try:
        return json.loads(request_body)
    except (ValueError, RecursionError) as exc:  # RecursionError: a deeply nested body
        raise HandleValueError("body", f"not JSON ({exc})", "send a JSON array of handle values") from exc


def create_router(
    store: HandleRecordStore, resolver: Resolver, *, authorize: Authorize | None = None
) -> APIRouter:
    """The Handle REST API over ``store`` (authoritative prefixes) and ``resolver`` (everything)."""
    router = APIRouter(tags=["handles"])

    @router.get("/api/handles/{handle:path}", summary="Resolve a handle (Handle.Net REST API)")
    def get_handle(handle: str, request: Request) -> JSONResponse:
        try:
            types = request.query_params.getlist("type")
            indices = _int_params(request, "index")
            parsed = parse_handle(handle)
            resolution = resolver.resolve(parsed, hops=_hops(request))
        except IdentifierResolverError as exc:
            return _error(handle, exc)
        values = resolution.record.select(types, indices)
        if not values and (types or indices):
            return JSONResponse({"responseCode": 200, "handle": handle, "values": []}, 200)
        return JSONResponse(
            {"responseCode": 1, "handle": handle, "values": [v.to_json() for v in values]}, 200
        )

    def _managed(handle: str, request: Request) -> Handle:
        parsed = parse_handle(handle)
        require_authority(store, parsed)
        _authorise(authorize, request, parsed.prefix)
        return parsed

    @router.put("/api/handles/{handle:path}", summary="Create or replace a handle record")
    async def put_handle(handle: str, request: Request) -> JSONResponse:
        body = await request.body()
        return await run_in_threadpool(_put, handle, request, body)

    def _put(handle: str, request: Request, body: bytes) -> JSONResponse:
        try:
            parsed = _managed(handle, request)
            indices = _int_params(request, "index")
            overwrite = request.query_params.get("overwrite", "true").lower() != "false"
            values = parse_values_body(_read_json(body))
            created = put_values(store, parsed, values, indices=indices, overwrite=overwrite)
        except IdentifierResolverError as exc:
            return _error(handle, exc)
        return JSONResponse({"responseCode": 1, "handle": handle}, 201 if created else 200)

    @router.delete("/api/handles/{handle:path}", summary="Delete a handle record or some of its values")
    def delete_handle(handle: str, request: Request) -> JSONResponse:
        try:
            parsed = _managed(handle, request)
            delete_values(store, parsed, indices=_int_params(request, "index"))
        except IdentifierResolverError as exc:
            return _error(handle, exc)
        return JSONResponse({"responseCode": 1, "handle": handle}, 200)

    @router.get("/api/handles", summary="List the handles under a prefix")
    def list_handles(request: Request) -> JSONResponse:
        prefix = request.query_params.get("prefix", "")
        try:
            if not prefix:
                raise HandleValueError("prefix", "missing", "call /api/handles?prefix=<your prefix>")
            probe = parse_handle(f"{prefix}/x")
            require_authority(store, probe)
            _authorise(authorize, request, probe.prefix)
            page = (_int_params(request, "page") or [0])[0]
            size = (_int_params(request, "pageSize") or [MAX_PAGE_SIZE])[0]
            if not 1 <= size <= MAX_PAGE_SIZE:
                raise HandleValueError("pageSize", f"got {size}, want 1..{MAX_PAGE_SIZE}", "ask for fewer")
        except IdentifierResolverError as exc:
            return _error(f"{prefix}/", exc)
        handles = store.list_prefix(probe.prefix)
        chunk = handles[page * size : (page + 1) * size]
        return JSONResponse(
            {
                "responseCode": 1,
                "prefix": prefix,
                "totalCount": len(handles),
                "page": page,
                "pageSize": size,
                "handles": [str(h) for h in chunk],
            },
            200,
        )

    return router
