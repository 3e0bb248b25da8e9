"""Fixtures of the organisations tests: one started node (SQLite) with a test client per test."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from node_service.app import create_app
from tests.node_service.helpers import serve_example_identifiers


@pytest.fixture
def node(make_node, tmp_path):
    return make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.fixture
def client(node):
    with TestClient(create_app(node=node)) as test_client:
        yield test_client


@pytest.fixture
def example_identifiers(client):
    """The handles the example cites resolve on the node (their issuers registered them): for tests whose
    submissions must be accepted, since the node refuses unresolvable identifiers."""
    return serve_example_identifiers(client)
