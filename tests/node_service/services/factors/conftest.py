"""One migrated database per backend and test module, with the built-in library recorded (tests use their own
organisations, so they do not see each other's factors)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from node_service.db import create_database, upgrade_to_head
from node_service.services.factors.builtin_sync import sync_builtin
from tests.node_service.services.factors.helpers import DbNode


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def node(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbNode]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('factors') / 'db.sqlite'}"
        admin = None
    else:
        server: str = request.getfixturevalue("postgres_server")
        name = f"tanlian_f_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    db = create_database(url)
    upgrade_to_head(db.engine)
    sync_builtin(db)
    try:
        yield DbNode(db)
    finally:
        db.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
