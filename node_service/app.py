"""The FastAPI application: the node's API, with the node started and stopped by the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from node_service.api.problems import install_problem_handlers
from node_service.api.routes import router
from node_service.cbam.router import router as cbam_router
from node_service.evidence_api import evidence_router
from node_service.identity.routers import identity_router
from node_service.pact import pact_router
from node_service.reports import report_router
from node_service.runtime import Node
from node_service.settings import Settings
from supplier_portal import portal_router

__all__ = ["create_app", "create_worker_app"]


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
            yield
        finally:
            if owned:
                the_node.stop()

    app = FastAPI(
        title="tanlian node",
        summary="Blockchain-anchored exchange for supply-chain product carbon footprints",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.node = the_node
    install_problem_handlers(app)
    app.include_router(router)
    app.include_router(portal_router, prefix="/portal")
    app.include_router(pact_router)
    app.include_router(cbam_router)
    app.include_router(evidence_router)
    app.include_router(identity_router(the_node))
    app.include_router(report_router)
    return app


def create_worker_app() -> FastAPI:
    """The app of one server process of ``tanlian serve --workers N`` (a worker node, from the environment
    the primary process set: node_service.cli.serve_cmds.worker_environment)."""
    return create_app(Settings())
