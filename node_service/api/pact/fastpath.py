"""The PACT read actions without FastAPI's routing: an ASGI middleware in front of the app.

ListFootprints and GetFootprint are the hot path (buyer systems polling). Through FastAPI each request first
walks the route table of every router included before the PACT one (some sixty path matches) and solves the
route's parameters, which costs more CPU than the action itself. :class:`PactReadFastPath` recognises
``GET /{2,3}/footprints`` and ``GET /{2,3}/footprints/{id}`` by one regular expression and calls
:func:`node_service.api.pact.actions.read_action` (the same checks, responses and errors as the routes, which stay
registered for every other caller and for the OpenAPI document); anything else goes to the app unchanged.

The app puts it in front of its middleware stack (node_service.app.NodeApp), so each ``tanlian serve`` worker
has it too.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from node_service.api.pact.actions import read_action

__all__ = ["PactReadFastPath"]

#: /2 or /3, footprints, and an optional id segment (Starlette's ``{footprint_id}``: one non-empty segment)
_READ_PATH = re.compile(r"/([23])/footprints(?:/([^/]+))?")


class PactReadFastPath:
    """ASGI middleware: PACT GET reads straight to their handler, everything else to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            found = _READ_PATH.fullmatch(scope["path"])
            if found is not None:
                try:
                    response = await read_action(Request(scope, receive), int(found[1]), found[2])
                except Exception:
                    # an unexpected failure: let the app's own route answer, so that its error handlers
                    # log it and give the client a problem+json 500 as for any other endpoint
                    await self.app(scope, receive, send)
                    return
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
