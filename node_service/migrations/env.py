"""Alembic environment: uses the connection handed over by node_service.db.migrate, or the configured URL.

Every table is on ``Base.metadata`` once its module is imported: the core tables in node_service.db.models, the
rooms' and plug-ins' tables in the modules named by the ``tanlian.models`` entry points (pyproject.toml), which
are loaded here so that autogenerate sees the whole schema without this layer importing the rooms above it.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from alembic import context
from sqlalchemy import create_engine

from node_service.db.models import Base

MODELS_GROUP = "tanlian.models"

for _models in entry_points(group=MODELS_GROUP):
    _models.load()

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
