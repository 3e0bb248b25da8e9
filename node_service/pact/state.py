"""Per-app PACT state: settings, node keys and the delivery worker (started by the router's lifespan)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from anyio import CapacityLimiter
from fastapi import FastAPI, Request

from node_service.pact.delivery import DeliveryWorker
from node_service.pact.rendered import RenderedCache
from node_service.pact.settings import PactSettings
from node_service.pact.tokens import NodeKeys, load_node_keys
from node_service.runtime import Node

__all__ = ["PactState", "pact_lifespan", "pact_state", "pool_capacity"]

_lock = threading.Lock()


@dataclass
class PactState:
    settings: PactSettings
    keys: NodeKeys
    worker: DeliveryWorker | None = None
    reader_limit: int = 0
    rendered: RenderedCache = field(default_factory=lambda: RenderedCache(0))
    _readers: CapacityLimiter | None = None

    def readers(self) -> CapacityLimiter:
        """The PACT read routes' thread limiter (made on first use, inside the event loop)."""
        if self._readers is None:
            self._readers = CapacityLimiter(self.reader_limit)
        return self._readers


def pool_capacity(node: Node) -> int | None:
    """How many connections the node's pool keeps open (None when it has no fixed size). Beyond them the pool
    opens overflow connections per checkout and closes them on return, which costs a connect each time."""
    size = getattr(node.db.engine.pool, "size", None)
    return int(size()) if callable(size) else None


def _ensure(app: FastAPI) -> PactState:
    with _lock:
        state: PactState | None = getattr(app.state, "pact", None)
        if state is None:
            node: Node = app.state.node
            settings = getattr(app.state, "pact_settings", None) or PactSettings()
            capacity = pool_capacity(node)
            limit = settings.reader_threads if capacity is None else min(settings.reader_threads, capacity)
            state = PactState(
                settings=settings,
                keys=load_node_keys(node.settings.keys_dir),
                reader_limit=max(0, limit),
                rendered=RenderedCache(settings.rendered_cache_size),
            )
            app.state.pact = state
        return state


def pact_state(request: Request) -> PactState:
    return _ensure(request.app)


@asynccontextmanager
async def pact_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the event delivery worker once the node is up; stop it before the node stops."""
    state = _ensure(app)
    node: Node = app.state.node
    state.worker = DeliveryWorker(node.db, state.keys, state.settings)
    state.worker.start()
    try:
        yield
    finally:
        state.worker.stop()
        state.worker = None
