"""Request body limits, enforced before any route sees a byte: size from ``Content-Length`` (413 without reading),
size while reading (a chunked body is cut off at the limit), and JSON nesting depth before parsing.

:class:`BodyLimits` is an ASGI middleware outside everything else (``node_service.app.NodeApp`` puts it around the
PACT read fast path, so the node's API, PACT and the plug-ins' routes all pass through it). For each request:

  (1) no ``Content-Length`` and no ``Transfer-Encoding``, or a ``Content-Length`` of 0: no body, nothing to do
      (every GET, the PACT fast path's reads included);
  (2) the limit: ``TANLIAN_MAX_UPLOAD_BYTES`` for a ``multipart/form-data`` body sent to a route marked
      :data:`UPLOAD_ROUTE` (evidence uploads, the portal's receipt check), else ``TANLIAN_MAX_BODY_BYTES``;
  (3) a ``Content-Length`` above the limit is refused with 413 before anything is read;
  (4) a form (``multipart/form-data``, ``application/x-www-form-urlencoded``) is passed on as it arrives and
      counted; past the limit the route gets no more of it and the client gets 413 (forms are parsed without
      recursion, and uploads are streamed to disk, so they are never held here);
  (5) any other body (JSON, whatever its declared type: some routes parse bodies of any type) is read here, up to
      the limit (413 past it), its nesting measured (``node_service.credentials.json_nesting``, linear, before any
      parser) and refused past ``TANLIAN_MAX_JSON_DEPTH`` levels, then handed to the route as one message.

Refusals are the node's problem+json (``body-too-large`` 413, ``json-too-deep`` 422); on PACT's paths PACT's
``{"code": "BadRequest", "message"}`` with 400 (``/auth/token``: RFC 6749's ``invalid_request``); under a plug-in's
prefix the plug-in's own rendering, registered with :func:`answer_refusals` (the portal answers in the user's
language).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from node_service.api.problems import problem_response
from node_service.credentials.json_nesting import nests_deeper_than
from node_service.errors import NodeError
from node_service.services.pact.errors import BadRequest, OAuthError
from node_service.settings import Settings

__all__ = [
    "UPLOAD_ROUTE",
    "BodyLimits",
    "BodyRefused",
    "BodyTooDeep",
    "BodyTooLarge",
    "Limits",
    "RefusalRenderer",
    "answer_refusals",
    "refusal_renderers",
    "upload_routes",
]

_UPLOAD_KEY = "x-tanlian-body-limit"
UPLOAD_ROUTE: dict[str, Any] = {_UPLOAD_KEY: "upload"}
"""``openapi_extra`` of a route that takes file uploads: multipart bodies up to ``TANLIAN_MAX_UPLOAD_BYTES``."""

_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
_PACT_PREFIXES = ("/2/", "/3/")
_OAUTH_PATH = "/auth/token"
_SCAN_IN_THREAD_BYTES = 256 * 1024

RefusalRenderer = Callable[[Request, "BodyRefused"], Awaitable[Response]]


class BodyRefused(NodeError):
    """A request body the node does not read or parse (carries the limit and what was found)."""

    def __init__(self, detail: str, *, limit: int, got: int | None, fix: str) -> None:
        self.limit = limit
        self.got = got
        super().__init__(detail, fix=fix)


class BodyTooLarge(BodyRefused):
    status = 413
    problem = "body-too-large"
    title = "The request body is too large"


class BodyTooDeep(BodyRefused):
    status = 422
    problem = "json-too-deep"
    title = "The JSON body is nested too deeply"


@dataclass(frozen=True)
class Limits:
    """The three limits, from the node's settings (``TANLIAN_MAX_BODY_BYTES``, ``TANLIAN_MAX_UPLOAD_BYTES``,
    ``TANLIAN_MAX_JSON_DEPTH``)."""

    body_bytes: int
    upload_bytes: int
    json_depth: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.max_body_bytes, settings.max_upload_bytes, settings.max_json_depth)


def answer_refusals(app: FastAPI, prefix: str, render: RefusalRenderer) -> None:
    """Let a plug-in render the refusals of requests under ``prefix`` (its mount point) itself; call it from the
    plug-in's hook, before the app serves its first request (the middleware stack is built then)."""
    renderers = refusal_renderers(app)
    renderers[prefix.rstrip("/") + "/"] = render
    app.state.body_refusal_renderers = renderers


def refusal_renderers(app: FastAPI) -> dict[str, RefusalRenderer]:
    """What plug-ins registered with :func:`answer_refusals`, by path prefix."""
    return dict(getattr(app.state, "body_refusal_renderers", {}))


@dataclass
class _Exchange:
    """One request's state while its body streams through: refused (and why), and whether the app answered."""

    refused: BodyRefused | None = None
    started: bool = False
    received: int = field(default=0)


class BodyLimits:
    """ASGI middleware enforcing :class:`Limits` (see the module docstring for the steps)."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits,
        *,
        routes: Sequence[BaseRoute] = (),
        renderers: dict[str, RefusalRenderer] | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.uploads = upload_routes(routes)
        self.renderers = renderers or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = _content_length(headers.get("content-length"))
        # (1)
        if declared == 0 or (declared is None and "transfer-encoding" not in headers):
            await self.app(scope, receive, send)
            return
        # (2)
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        upload = media_type == "multipart/form-data" and self._is_upload_route(scope)
        limit = self.limits.upload_bytes if upload else self.limits.body_bytes
        # (3)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, _too_large(limit, declared, upload), read_all=False)
            return
        # (4)
        if media_type in _FORMS:
            await self._stream(scope, receive, send, limit, upload)
            return
        # (5)
        body, refused = await _read_body(receive, limit)
        if body is None:  # the client went away while sending
            return
        if refused is None and await _nests_deeper_than(body, self.limits.json_depth):
            refused = BodyTooDeep(
                f"the JSON body nests deeper than {self.limits.json_depth} levels",
                limit=self.limits.json_depth,
                got=None,
                fix="flatten the document (no document the node takes needs more than a few levels)",
            )
        if refused is not None:
            await self._refuse(scope, receive, send, refused, read_all=isinstance(refused, BodyTooDeep))
            return
        await self.app(scope, _replay(body, receive), send)

    def _is_upload_route(self, scope: Scope) -> bool:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        return any(
            scope["method"] in methods and pattern.fullmatch(path) for pattern, methods in self.uploads
        )

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int, upload: bool) -> None:
        """(4): the form reaches the app as it arrives; past ``limit`` the app's reading fails, whatever it
        answers is dropped, and the client gets 413."""
        exchange = _Exchange()

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.received += len(message.get("body", b""))
                if exchange.received > limit:
                    exchange.refused = _too_large(limit, None, upload)
                    raise exchange.refused
            return message

        async def unless_refused(message: Message) -> None:
            if exchange.refused is not None:
                return  # answered below
            if message["type"] == "http.response.start":
                exchange.started = True
            await send(message)

        try:
            await self.app(scope, counted, unless_refused)
        except Exception:
            if exchange.refused is None or exchange.started:
                raise
        if exchange.refused is not None and not exchange.started:
            await self._refuse(scope, receive, send, exchange.refused, read_all=False)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, refused: BodyRefused, *, read_all: bool
    ) -> None:
        request = Request(scope, receive)
        response = await self._render(request, refused)
        if not read_all:  # the rest of the body is not read: the connection cannot carry another request
            response.headers["connection"] = "close"
        await response(scope, receive, send)

    async def _render(self, request: Request, refused: BodyRefused) -> Response:
        path: str = request.scope["path"]
        for prefix, render in self.renderers.items():
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                return await render(request, refused)
        if path == _OAUTH_PATH:
            oauth = OAuthError("invalid_request", refused.message)
            return JSONResponse(
                {"error": oauth.error, "error_description": oauth.description},
                status_code=400,
                headers={"cache-control": "no-store", "pragma": "no-cache"},
            )
        if path.startswith(_PACT_PREFIXES):
            return JSONResponse(BadRequest(refused.detail, fix=refused.fix).body(), status_code=400)
        return problem_response(
            refused.status, refused.problem, refused.title, refused.detail, request, fix=refused.fix
        )


def upload_routes(routes: Sequence[BaseRoute]) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """The path patterns and methods of the routes marked :data:`UPLOAD_ROUTE` among ``routes`` (included routers
    and plug-ins' routes too), found once when the middleware is built."""
    found = []
    for route in iter_route_contexts(routes):
        extra = getattr(route, "openapi_extra", None) or {}
        if route.path and extra.get(_UPLOAD_KEY) == UPLOAD_ROUTE[_UPLOAD_KEY]:
            pattern, _, _ = compile_path(route.path)
            found.append((pattern, frozenset(route.methods or ())))
    return found


def _content_length(value: str | None) -> int | None:
    """The declared length (the server has checked its syntax; anything odd counts as undeclared)."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _too_large(limit: int, declared: int | None, upload: bool) -> BodyTooLarge:
    got = f"{declared} bytes" if declared is not None else f"more than {limit} bytes"
    return BodyTooLarge(
        f"the request body has {got}, want at most {limit}",
        limit=limit,
        got=declared,
        fix="split the file or store a smaller export"
        if upload
        else "send a smaller document (move bulky data into evidence files and cite them by CID)",
    )


async def _read_body(receive: Receive, limit: int) -> tuple[bytes | None, BodyRefused | None]:
    """(5): the whole body, or a refusal as soon as it passes ``limit`` (the rest is left unread); no body when
    the client disconnects first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", _too_large(limit, None, False)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), None


async def _nests_deeper_than(body: bytes, depth: int) -> bool:
    """The scan takes about 0.1 s per MiB of brackets: a large body is scanned off the event loop."""
    if len(body) < _SCAN_IN_THREAD_BYTES:
        return nests_deeper_than(body, depth)
    return await anyio.to_thread.run_sync(nests_deeper_than, body, depth)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body read in (5) as one message, then the client's own messages (a
    disconnect) as they come."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
