"""Alembic environment: uses the connection handed over by node_service.db.migrate, or the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import node_service.services.cbam.models
import node_service.services.evidence_files.models
import node_service.services.organisations.models
import node_service.services.pact.models  # noqa: F401
import supplier_portal.models  # noqa: F401
from node_service.db.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
