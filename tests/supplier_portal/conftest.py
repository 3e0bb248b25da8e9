"""Fixtures: one node served by uvicorn on a free loopback port per test module, and a headless Chromium."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal"


class LogCapture(logging.Handler):
    """Every log record of the process while the node runs (searched for key material by the tests)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not break the server
            self.lines.append(repr(record.__dict__))


@dataclass
class Served:
    node: Any
    url: str
    logs: LogCapture


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    import uvicorn

    from node_service.app import create_app
    from node_service.chain.devnet import free_loopback_port
    from node_service.runtime import Node
    from node_service.settings import Settings

    capture = LogCapture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    data_dir = tmp_path_factory.mktemp("portal-node")
    node = Node(Settings(data_dir=data_dir, anchor_interval_seconds=0.3)).start()
    port = free_loopback_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(node=node), host="127.0.0.1", port=port, log_level="debug", access_log=True)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield Served(node, f"http://127.0.0.1:{port}", capture)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        node.stop()
        root.removeHandler(capture)
        root.setLevel(old_level)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
