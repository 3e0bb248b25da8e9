"""Fixtures shared by the node_service tests: a migrated database on each backend (log, operator tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from node_service.db import Database, create_database, upgrade_to_head


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on each backend (``database_url`` is SQLite and, where reachable, PostgreSQL)."""
    database = create_database(database_url)
    upgrade_to_head(database.engine)
    yield database
    database.dispose()
