"""The composition root: the FastAPI application over one node, its routes, the PACT read fast path in front,
and the plug-ins (the portal) found through the ``tanlian.plugins`` entry point group.

The node is started and stopped by the app's lifespan (unless the caller owns it), then the PACT state and its
event delivery worker.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import entry_points
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from node_service.api import cbam, evidence, exchange, factors, identity, log, pact, reference_tables, reports
from node_service.api.limits import BodyLimits, Limits, refusal_renderers
from node_service.api.pact.fastpath import PactReadFastPath
from node_service.api.pact.state import pact_lifespan
from node_service.api.problems import install_problem_handlers
from node_service.api.responses import complete_openapi
from node_service.api.transport import StrictTransportSecurity
from node_service.runtime import Node
from node_service.settings import Settings

__all__ = ["PLUGIN_GROUP", "create_app", "create_worker_app"]

PLUGIN_GROUP = "tanlian.plugins"
logger = logging.getLogger("tanlian.app")


class NodeApp(FastAPI):
    """FastAPI with three layers outside its own stack, outermost first: Strict-Transport-Security on HTTPS
    responses (node_service.api.transport); the request body limits, so that no route, the PACT fast path and
    the plug-ins included, reads an oversized or too deeply nested body (node_service.api.limits); the PACT read
    fast path: buyers' GET /{2,3}/footprints[/{id}] go straight to their handler (node_service.api.pact.fastpath),
    everything else through the usual stack."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.node.settings
        fast_path = PactReadFastPath(super().build_middleware_stack())
        limited = BodyLimits(
            fast_path,
            Limits.from_settings(settings),
            routes=self.routes,
            renderers=refusal_renderers(self),
        )
        return StrictTransportSecurity(limited, max_age_seconds=settings.hsts_max_age_seconds)

    _documented: dict[str, Any] | None = None

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document with every operation's error responses (node_service.api.responses)."""
        generated = super().openapi()  # FastAPI's cached document, rebuilt when routes were added
        if generated is not self._documented:
            self._documented = complete_openapi(generated, self.routes)
            self.openapi_schema = self._documented
        return self._documented


def install_plugins(app: FastAPI) -> None:
    """Call every ``tanlian.plugins`` entry point with the app (the portal's is ``supplier_portal:mount``)."""
    for plugin in sorted(entry_points(group=PLUGIN_GROUP), key=lambda ep: ep.name):
        plugin.load()(app)
        logger.debug("plug-in %s mounted", plugin.name)


def create_app(settings: Settings | None = None, *, node: Node | None = None) -> FastAPI:
    """An app over ``node`` (already started, owned by the caller) or over a node it starts itself."""
    owned = node is None
    the_node = node or Node(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owned:
            the_node.start()
        app.state.node = the_node
        try:
            async with pact_lifespan(app):
                yield
        finally:
            if owned:
                the_node.stop()

    app = NodeApp(
        title="tanlian node",
        summary="Blockchain-anchored exchange for supply-chain product carbon footprints",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.node = the_node
    install_problem_handlers(app)
    app.include_router(exchange.router)
    install_plugins(app)
    app.include_router(pact.router)
    app.include_router(cbam.router)
    app.include_router(evidence.router)
    app.include_router(log.router)
    app.include_router(identity.router_for(the_node))
    app.include_router(reports.router)
    app.include_router(factors.router)
    app.include_router(reference_tables.router)
    return app


def create_worker_app() -> FastAPI:
    """The app of one server process of ``tanlian serve --workers N`` (a worker node, from the environment
    the primary process set: node_service.cli.serve_cmds.worker_environment)."""
    return create_app(Settings())
