"""Per-app PACT state: settings, node keys and the delivery worker (started by the router's lifespan)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from sqlalchemy import Engine, create_engine

from node_service.runtime import Node
from node_service.services.pact.actions.delivery import DeliveryWorker
from node_service.services.pact.management.tokens import NodeKeys, load_node_keys
from node_service.services.pact.reads.rendered import RenderedCache
from node_service.services.pact.settings import PactSettings

__all__ = ["PactState", "pact_lifespan", "pact_state", "pool_capacity", "read_engine_for", "reader_threads"]

_lock = threading.Lock()
POSTGRES_READER_THREADS = 4


@dataclass
class PactState:
    settings: PactSettings
    keys: NodeKeys
    worker: DeliveryWorker | None = None
    reader_limit: int = 0
    rendered: RenderedCache = field(default_factory=lambda: RenderedCache(0))
    read_engine: Engine | None = None  # a PostgreSQL pool of the read routes' own, see read_engine_for
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


def reader_threads(settings: PactSettings, node: Node) -> int:
    """Threads for the read routes: as configured, else 0 (the event loop) on SQLite, whose reads are
    in-process calls, and in the server processes of ``tanlian serve --workers N``, where the other processes
    use a core while one waits for PostgreSQL (measured at 100,000 footprints, 2 processes: list p99 69 ms
    with 4 threads, 45 ms without, and less CPU per request); 4 for a single process on PostgreSQL, where a
    thread can wait for the server while another runs."""
    if settings.reader_threads is not None:
        return settings.reader_threads
    return 0 if node.db.is_sqlite or node.is_worker else POSTGRES_READER_THREADS


def read_engine_for(node: Node, threads: int) -> Engine | None:
    """A PostgreSQL pool for the read routes alone: exactly one kept connection per reader thread (so no
    thread waits and no overflow connection is opened and closed per request), no pre-ping round trip per
    checkout (a connection found dead is invalidated by SQLAlchemy and the next read reconnects), and
    autocommit: under READ COMMITTED every statement has its own snapshot anyway, so BEGIN/ROLLBACK would be two
    more round trips for nothing. SQLite (None) reads through the node's engine."""
    if node.db.is_sqlite:
        return None
    return create_engine(
        node.db.engine.url,
        pool_size=max(1, threads),
        max_overflow=0,
        pool_pre_ping=False,
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT",
    )


def _ensure(app: FastAPI) -> PactState:
    with _lock:
        state: PactState | None = getattr(app.state, "pact", None)
        if state is None:
            node: Node = app.state.node
            settings = getattr(app.state, "pact_settings", None) or PactSettings()
            threads = reader_threads(settings, node)
            capacity = pool_capacity(node)
            if node.db.is_sqlite and capacity is not None:
                threads = min(threads, capacity)
            state = PactState(
                settings=settings,
                keys=load_node_keys(node.settings.keys_dir),
                reader_limit=max(0, threads),
                rendered=RenderedCache(settings.rendered_cache_size),
                read_engine=read_engine_for(node, threads),
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
        if state.read_engine is not None:
            state.read_engine.dispose()
