"""Persistence: SQLAlchemy 2 models, engine set-up and Alembic migrations applied on start."""

from node_service.db.engine import Database, create_database
from node_service.db.migrate import upgrade_to_head

__all__ = ["Database", "create_database", "upgrade_to_head"]
