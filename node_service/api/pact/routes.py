"""PACT routes: Action Authenticate, OpenID configuration, /3 (v3.0) and /2 (v2.3) actions, plus the owner's
management API under /pact (API clients, publishing, remote hosts, request inbox, outbox).

PACT routes answer errors as PACT error responses ({"code","message"}; RFC 6749 §5.2 for /auth/token), never
as the node's problem+json, and refuse plain HTTP unless TANLIAN_PACT_ALLOW_HTTP=true.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import unquote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from node_service.api._deps import CurrentOrg, NodeDep
from node_service.api.pact.state import PactState, pact_state
from node_service.errors import NodeError
from node_service.services.pact import service as pact
from node_service.services.pact.actions import recompute
from node_service.services.pact.actions.events import parse_cloudevent
from node_service.services.pact.errors import BadRequest, InternalError, OAuthError, PactError

__all__ = ["management_router", "read_action", "router"]

log = logging.getLogger("tanlian.pact")
PactDep = Annotated[PactState, Depends(pact_state)]
MAX_EVENT_BYTES = 1 << 20
MAX_FORM_BYTES = 8192


def _spec_major(request: Request) -> int:
    return 2 if request.url.path.startswith("/2/") else 3


def error_response(exc: Exception, request: Request) -> Response:
    """The PACT error response for a failure of a PACT route (RFC 6749 §5.2 for Action Authenticate)."""
    if isinstance(exc, OAuthError):
        headers = {"cache-control": "no-store", "pragma": "no-cache"}
        if exc.status == 401:
            headers["www-authenticate"] = 'Basic realm="pact"'
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)
    if isinstance(exc, PactError):
        return JSONResponse(exc.body(_spec_major(request)), status_code=exc.status)
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return JSONResponse({"code": "BadRequest", "message": f"{where}: {first['msg']}"}, status_code=400)
    if isinstance(exc, NodeError):
        code = {403: "AccessDenied", 404: "NotFound"}.get(
            exc.status, "BadRequest" if exc.status < 500 else "InternalError"
        )
        status_code = exc.status if exc.status in (400, 403, 404) else (400 if exc.status < 500 else 500)
        return JSONResponse({"code": code, "message": exc.message}, status_code=status_code)
    log.error("PACT route %s failed", request.url.path, exc_info=exc)
    return JSONResponse(InternalError("internal error").body(), status_code=500)


class PactRoute(APIRoute):
    """Turns every failure of a PACT route into a PACT error response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                _require_https(request)
                return await handler(request)
            except Exception as exc:
                return error_response(exc, request)

        return guarded


def _require_https(request: Request) -> None:
    state = pact_state(request)
    if request.url.scheme != "https" and not state.settings.allow_http:
        if request.url.path == "/auth/token":
            raise OAuthError("invalid_request", "HTTPS is required; this host refuses plain HTTP")
        raise BadRequest("HTTPS is required; this host refuses plain HTTP", fix="use the https:// URL")


_BASE_URLS: dict[tuple[str, str, str, str], str] = {}


def _base_url(request: Request) -> str:
    """This host's base URL as the client addressed it (no trailing slash); Starlette's ``request.base_url``,
    remembered per (scheme, Host header, server, root path) because building it costs more than a lookup."""
    scope = request.scope
    server = scope.get("server")
    key = (
        scope.get("scheme", "http"),
        request.headers.get("host", ""),
        f"{server[0]}:{server[1]}" if server else "",
        scope.get("root_path", ""),
    )
    found = _BASE_URLS.get(key)
    if found is None:
        found = str(request.base_url).rstrip("/")
        if len(_BASE_URLS) < 1024:  # a bounded memo: Host headers come from clients
            _BASE_URLS[key] = found
    return found


router = APIRouter(route_class=PactRoute, tags=["pact"])


# ---------------------------------------------------------------- Action Authenticate (RFC 6749 §4.4)
def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError(
            "invalid_client", "Authentication failed: use HTTP Basic client authentication", status=401
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError(
            "invalid_client", "Authentication failed: malformed Basic credentials", status=401
        ) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "Authentication failed: malformed Basic credentials", status=401)
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@router.post("/auth/token", summary="Action Authenticate (OAuth2 client credentials)")
async def auth_token(request: Request, state: PactDep, node: NodeDep) -> JSONResponse:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", f"the body has {len(body)} bytes, want at most {MAX_FORM_BYTES}")
    from urllib.parse import parse_qs

    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "the body is not form-urlencoded UTF-8") from exc
    if any(len(v) > 1 for v in form.values()):
        raise OAuthError("invalid_request", "a parameter is repeated (RFC 6749 §3.2)")
    grant = form.get("grant_type", [""])[0]
    if not grant:
        raise OAuthError("invalid_request", "grant_type is missing")
    basic = _basic_credentials(request.headers.get("authorization"))
    posted = (form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
    if basic is not None and any(posted):
        raise OAuthError(
            "invalid_request", "use one client authentication method, not Basic and the body both"
        )
    credentials = basic or posted
    if not credentials[0]:
        raise OAuthError("invalid_client", "Authentication failed: no client credentials", status=401)
    if grant != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", f"grant_type {grant[:40]!r} is not supported; use client_credentials"
        )
    token, ttl = pact.issue_token(
        node, state.keys, credentials[0], credentials[1], state.settings.token_ttl_seconds
    )
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": ttl,
            "scope": "footprint:list footprint:read",
        },
        headers={"cache-control": "no-store", "pragma": "no-cache"},
    )


@router.get("/.well-known/openid-configuration", summary="OpenID Provider Configuration Document")
def openid_configuration(request: Request) -> dict[str, Any]:
    base = _base_url(request)
    return {
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "scopes_supported": ["footprint:list", "footprint:read"],
    }


# ---------------------------------------------------------------- the actions
def _query_lists(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def _list(request: Request, state: PactState, major: int) -> Response:
    """ListFootprints in one short read (token check, page, documents not cached yet)."""
    base = _base_url(request)
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
    base = _base_url(request)
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
    created = pact.receive_event(node, sender, event, major, _base_url(request))
    if created and state.worker is not None:
        state.worker.wake()
    return Response(status_code=200)


async def read_action(request: Request, major: int, footprint_id: str | None) -> Response:
    """ListFootprints (``footprint_id`` None) or GetFootprint of the PACT ``major`` version, with the same checks
    and error responses as the routes below: what :class:`~node_service.api.pact.fastpath.PactReadFastPath` calls
    without FastAPI's routing and dependency machinery."""
    try:
        _require_https(request)
        if footprint_id is None:
            return await _read(request, lambda state: _list(request, state, major))
        return await _read(request, lambda state: _get(request, state, footprint_id, major))
    except Exception as exc:
        return error_response(exc, request)


@router.get("/3/footprints", summary="Action ListFootprints (v3)")
async def list_v3(request: Request) -> Response:
    return await _read(request, lambda state: _list(request, state, 3))


@router.get("/3/footprints/{footprint_id}", summary="Action GetFootprint (v3)")
async def get_v3(footprint_id: str, request: Request) -> Response:
    return await _read(request, lambda state: _get(request, state, footprint_id, 3))


@router.post("/3/events", summary="Action Events (v3)")
async def events_v3(request: Request, state: PactDep, node: NodeDep) -> Response:
    return await _events(request, state, node, 3)


@router.get("/2/footprints", summary="Action ListFootprints (v2.3)")
async def list_v2(request: Request) -> Response:
    return await _read(request, lambda state: _list(request, state, 2))


@router.get("/2/footprints/{footprint_id}", summary="Action GetFootprint (v2.3)")
async def get_v2(footprint_id: str, request: Request) -> Response:
    return await _read(request, lambda state: _get(request, state, footprint_id, 2))


@router.post("/2/events", summary="Action Events (v2.3)")
async def events_v2(request: Request, state: PactDep, node: NodeDep) -> Response:
    return await _events(request, state, node, 2)


@router.get("/pact/receipts/{footprint_id}", summary="The receipt of a footprint, for a PACT client")
def pact_receipt(footprint_id: str, request: Request, state: PactDep, node: NodeDep) -> dict[str, Any]:
    """The footprint's receipt (DESIGN.md format) to a PACT client that may see the footprint."""
    return pact.footprint_receipt(node, state.keys, request.headers.get("authorization"), footprint_id)


# ---------------------------------------------------------------- management API (Bearer API token)
management_router = APIRouter(prefix="/pact", tags=["pact-management"])


class ClientCreate(BaseModel):
    name: str | None = Field(default=None, max_length=200)


class ClientIssued(BaseModel):
    clientId: str
    clientSecret: str = Field(description="shown once; keep it secret")
    tokenEndpoint: str


class PublishRequest(BaseModel):
    public: bool | None = Field(default=None, description="visible to every authenticated PACT client")
    shareWith: list[str] = Field(default_factory=list, max_length=1000, description="dids of buyers")
    productClassifications: list[str] = Field(default_factory=list, max_length=100)
    productMassPerDeclaredUnit: float | None = Field(
        default=None,
        gt=0,
        le=1e9,
        description="kg of product per declared unit (PACT productMassPerDeclaredUnit); needed for count, "
        "volume and area units unless the footprint's end-of-life scenario gives the product mass",
    )


class RemoteHostCreate(BaseModel):
    baseUrl: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$", max_length=500)
    clientId: str = Field(min_length=1, max_length=200)
    clientSecret: str = Field(min_length=1, max_length=500)
    subscribePublished: bool = True


class FulfilRequest(BaseModel):
    footprintIds: list[str] | None = Field(default=None, max_length=1000)


class RejectRequest(BaseModel):
    code: str = "NotFound"
    message: str = Field(default="The requested footprint is not available.", max_length=2000)


@management_router.post("/clients", status_code=status.HTTP_201_CREATED)
def create_client(body: ClientCreate, org: CurrentOrg, node: NodeDep, request: Request) -> ClientIssued:
    """A new OAuth2 client of your organisation for PACT (the secret is shown only here)."""
    issued = pact.create_client(node, org, body.name)
    return ClientIssued(
        clientId=issued.client_id,
        clientSecret=issued.client_secret,
        tokenEndpoint=f"{_base_url(request)}/auth/token",
    )


@management_router.get("/clients")
def get_clients(org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    return {
        "data": [
            {
                "clientId": c.client_id,
                "name": c.name,
                "createdAt": c.created_at.isoformat(),
                "rotatedAt": c.rotated_at.isoformat() if c.rotated_at else None,
                "revoked": c.revoked_at is not None,
            }
            for c in pact.clients_of(node, org)
        ]
    }


@management_router.post("/clients/{client_id}/rotate")
def rotate_client(client_id: str, org: CurrentOrg, node: NodeDep, request: Request) -> ClientIssued:
    """A new secret; the old secret and tokens issued before stop working."""
    issued = pact.rotate_client(node, org, client_id)
    return ClientIssued(
        clientId=issued.client_id,
        clientSecret=issued.client_secret,
        tokenEndpoint=f"{_base_url(request)}/auth/token",
    )


@management_router.delete("/clients/{client_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_client(client_id: str, org: CurrentOrg, node: NodeDep) -> Response:
    pact.revoke_client(node, org, client_id)
    return Response(status_code=204)


@management_router.post("/footprints/{footprint_id}/publish")
def publish(
    footprint_id: str,
    body: PublishRequest,
    org: CurrentOrg,
    node: NodeDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Publish one of your footprints over PACT (or change its visibility); deprecates older versions."""
    published = pact.publish(
        node,
        org,
        footprint_id,
        public=body.public,
        share_with=body.shareWith,
        classifications=body.productClassifications,
        product_mass_kg=body.productMassPerDeclaredUnit,
        base_url=_base_url(request),
    )
    response.status_code = 201 if published.created else 200
    _wake(request)
    return {
        "id": published.footprint.id,
        "status": published.footprint.status,
        "public": published.footprint.public,
        "deprecated": published.deprecated,
        "publishedEvents": published.notified,
        "productFootprint": published.rendered,
    }


def _wake(request: Request) -> None:
    state = pact_state(request)
    if state.worker is not None:
        state.worker.wake()


@management_router.post("/remote-hosts", status_code=status.HTTP_201_CREATED)
def add_remote_host(
    body: RemoteHostCreate, org: CurrentOrg, node: NodeDep, request: Request
) -> dict[str, Any]:
    """Register your own PACT host and the client credentials this node may use to deliver events to it."""
    state = pact_state(request)
    base = body.baseUrl.rstrip("/")
    pact.register_remote_host(
        node,
        state.keys,
        org,
        base,
        client_id=body.clientId,
        client_secret=body.clientSecret,
        subscribe_published=body.subscribePublished,
    )
    return {"baseUrl": base, "clientId": body.clientId, "subscribePublished": body.subscribePublished}


@management_router.get("/requests")
def get_requests(org: CurrentOrg, node: NodeDep, status: str | None = None) -> dict[str, Any]:
    """Your inbox of footprint requests (RequestCreated events from buyers)."""
    return {
        "data": [
            {
                "id": r.id,
                "eventId": r.event_id,
                "source": r.source,
                "criteria": r.criteria,
                "comment": r.comment,
                "status": r.status,
                "createdAt": r.created_at.isoformat(),
                "responseEventId": r.response_event_id,
            }
            for r in pact.requests_of(node, org, status)
        ]
    }


@management_router.post("/requests/{request_id}/fulfil")
def fulfil(
    request_id: str, body: FulfilRequest, org: CurrentOrg, node: NodeDep, request: Request
) -> dict[str, Any]:
    event = pact.fulfil_request(node, org, request_id, body.footprintIds, _base_url(request))
    _wake(request)
    return {
        "requestId": request_id,
        "status": "fulfilled",
        "eventId": event["id"],
        "footprints": len(event["data"]["pfs"]),
    }


@management_router.post("/requests/{request_id}/reject")
def reject(
    request_id: str, body: RejectRequest, org: CurrentOrg, node: NodeDep, request: Request
) -> dict[str, Any]:
    event = pact.reject_request(node, org, request_id, body.code, body.message, _base_url(request))
    _wake(request)
    return {"requestId": request_id, "status": "rejected", "eventId": event["id"]}


@management_router.get("/outbox")
def outbox(org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    """Events this node sends for you (or to you) and how their delivery stands."""
    return {
        "data": [
            {
                "eventId": r.event_id,
                "type": r.event.get("type"),
                "target": r.target,
                "status": r.status,
                "attempts": r.attempts,
                "lastError": r.last_error,
            }
            for r in pact.outbox_of(node, org)
        ]
    }


def _notice(notice: Any, *, with_draft: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": notice.id,
        "footprintId": notice.footprint_id,
        "upstreamProductId": notice.upstream_product_id,
        "citedVersion": notice.cited_version,
        "newFootprintId": notice.new_upstream_id,
        "newVersion": notice.new_version,
        "status": notice.status,
        "createdAt": notice.created_at.isoformat(),
        "draftedAt": notice.drafted_at.isoformat() if notice.drafted_at else None,
    }
    if with_draft:
        body["draft"] = notice.draft
    return body


@management_router.get("/recompute-notices")
def get_recompute_notices(org: CurrentOrg, node: NodeDep, status: str | None = None) -> dict[str, Any]:
    """Your inbox of recompute notices: a product your footprint cites has a newer version published to you."""
    return {"data": [_notice(n, with_draft=False) for n in pact.notices_of(node, org, status)]}


@management_router.get("/recompute-notices/{notice_id}")
def get_recompute_notice(notice_id: str, org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    return _notice(pact.notice_of(node, org, notice_id), with_draft=True)


@management_router.post("/recompute-notices/{notice_id}/recompute", status_code=status.HTTP_201_CREATED)
def recompute_draft(notice_id: str, org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    """Your footprint recomputed with the new upstream version, as a draft (not published, not logged)."""
    return _notice(recompute.recompute(node, org, notice_id), with_draft=True)


router.include_router(management_router)
