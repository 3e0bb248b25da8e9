"""Fixtures for the identifier tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from identifier_resolver import InMemoryHandleStore
from tests.identifier_resolver.helpers import ServerThread, sample_store


@pytest.fixture
def store() -> InMemoryHandleStore:
    return sample_store()


@pytest.fixture
def served() -> Iterator[list[ServerThread]]:
    """Collects ServerThreads started by a test and stops them afterwards."""
    servers: list[ServerThread] = []
    yield servers
    for server in servers:
        server.stop()
