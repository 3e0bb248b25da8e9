"""Per-app PACT state: settings, node keys, the read actions (their pool and cache) and the delivery worker
(started by the app's lifespan, node_service.app)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from anyio import CapacityLimiter
from fastapi import FastAPI, Request

from node_service.runtime import Node
from node_service.services.pact.actions.delivery import DeliveryWorker
from node_service.services.pact.management.tokens import NodeKeys, load_node_keys
from node_service.services.pact.reads.reader import PactReads, pool_capacity
from node_service.services.pact.settings import PactSettings

__all__ = ["PactState", "pact_lifespan", "pact_state", "reader_threads"]

_lock = threading.Lock()
POSTGRES_READER_THREADS = 4


@dataclass
class PactState:
    settings: PactSettings
    keys: NodeKeys
    reads: PactReads  # ListFootprints and GetFootprint: their pool and rendered-document cache
    worker: DeliveryWorker | None = None
    reader_limit: int = 0
    _readers: CapacityLimiter | None = None

    def readers(self) -> CapacityLimiter:
        """The PACT read routes' thread limiter (made on first use, inside the event loop)."""
        if self._readers is None:
            self._readers = CapacityLimiter(self.reader_limit)
        return self._readers


def reader_threads(settings: PactSettings, node: Node) -> int:
    """Threads for the read routes: as configured, else 0 (the event loop) on SQLite, whose reads are
    in-process calls, and in the server processes of ``tanlian serve --workers N``, where the other processes
    use a core while one waits for PostgreSQL (measured at 100,000 footprints, 2 processes: list p99 69 ms
    with 4 threads, 45 ms without, and less CPU per request); 4 for a single process on PostgreSQL, where a
    thread can wait for the server while another runs."""
    if settings.reader_threads is not None:
        return settings.reader_threads
    return 0 if node.db.is_sqlite or node.is_worker else POSTGRES_READER_THREADS


def _ensure(app: FastAPI) -> PactState:
    with _lock:
        state: PactState | None = getattr(app.state, "pact", None)
        if state is None:
            node: Node = app.state.node
            settings = getattr(app.state, "pact_settings", None) or PactSettings()
            threads = reader_threads(settings, node)
            capacity = pool_capacity(node.db)
            if node.db.is_sqlite and capacity is not None:
                threads = min(threads, capacity)
            keys = load_node_keys(node.settings.keys_dir)
            state = PactState(
                settings=settings,
                keys=keys,
                reads=PactReads(node.db, keys, settings, threads),
                reader_limit=max(0, threads),
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
    worker = DeliveryWorker(node.db, state.keys, state.settings)
    state.worker = worker
    worker.start()
    try:
        yield
    finally:
        worker.stop()
        if state.worker is worker:  # a lifespan run inside this one (a test client's) leaves it to its owner
            state.worker = None
            state.reads.close()
