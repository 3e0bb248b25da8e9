"""The PACT migration (branch "pact" off 0001) applies on SQLite and PostgreSQL and matches the models."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from node_service.pact.models import PactClient, PactFootprint, PactFootprintKey, PactOutbox, PactRequest


def test_pact_tables_exist_after_start(make_node: Any, database_url: str) -> None:
    node = make_node(database_url)
    tables = set(inspect(node.db.engine).get_table_names())
    for model in (PactClient, PactFootprint, PactFootprintKey, PactOutbox, PactRequest):
        assert model.__tablename__ in tables
        columns = {c["name"] for c in inspect(node.db.engine).get_columns(model.__tablename__)}
        assert columns == {c.name for c in model.__table__.columns}
