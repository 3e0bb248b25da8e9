"""Serve an app over real HTTP on loopback in a thread (for clients that make their own connections)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from node_service.app import create_app
from node_service.chain.devnet import free_loopback_port


@contextmanager
def served(node) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = free_loopback_port()
    server = uvicorn.Server(uvicorn.Config(create_app(node=node), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
