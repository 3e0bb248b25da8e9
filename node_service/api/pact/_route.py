"""What every PACT route shares: the route class that answers failures as PACT error responses
({"code","message"}; RFC 6749 §5.2 for /auth/token), never as the node's problem+json, and refuses plain HTTP
unless TANLIAN_PACT_ALLOW_HTTP=true; the host's base URL as the client addressed it; the PACT state dependency.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from node_service.api.pact.state import PactState, pact_state
from node_service.errors import NodeError
from node_service.services.pact.errors import BadRequest, InternalError, OAuthError, PactError

log = logging.getLogger("tanlian.pact")
PactDep = Annotated[PactState, Depends(pact_state)]
MAX_EVENT_BYTES = 1 << 20
MAX_FORM_BYTES = 8192


def spec_major(request: Request) -> int:
    return 2 if request.url.path.startswith("/2/") else 3


def error_response(exc: Exception, request: Request) -> Response:
    """The PACT error response for a failure of a PACT route (RFC 6749 §5.2 for Action Authenticate)."""
    if isinstance(exc, OAuthError):
        headers = {"cache-control": "no-store", "pragma": "no-cache"}
        if exc.status == 401:
            headers["www-authenticate"] = 'Basic realm="pact"'
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)
    if isinstance(exc, PactError):
        return JSONResponse(exc.body(spec_major(request)), status_code=exc.status)
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
                require_https(request)
                return await handler(request)
            except Exception as exc:
                return error_response(exc, request)

        return guarded


def require_https(request: Request) -> None:
    state = pact_state(request)
    if request.url.scheme != "https" and not state.settings.allow_http:
        if request.url.path == "/auth/token":
            raise OAuthError("invalid_request", "HTTPS is required; this host refuses plain HTTP")
        raise BadRequest("HTTPS is required; this host refuses plain HTTP", fix="use the https:// URL")


_BASE_URLS: dict[tuple[str, str, str, str], str] = {}


def base_url(request: Request) -> str:
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
