"""Migration 0010: on SQLite log_tree_nodes is a WITHOUT ROWID table, and an existing log keeps every hash."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from node_service.db import create_database, upgrade_to_head
from node_service.db.migrate import alembic_config


def _table_sql(engine) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'log_tree_nodes'")
            ).scalar_one()
        )


def test_fresh_database_has_a_without_rowid_table(tmp_path):
    db = create_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade_to_head(db.engine)
    assert "WITHOUT ROWID" in _table_sql(db.engine)
    db.dispose()


def test_existing_hashes_survive_the_rebuild_both_ways(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = create_database(url)
    upgrade_to_head(db.engine)
    rows = [(level, idx, bytes([level, idx % 256]) * 16) for level in range(3) for idx in range(50)]
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO log_tree_nodes (level, idx, hash) VALUES (?, ?, ?)", rows)
    cfg = alembic_config(url)
    command.downgrade(cfg, "0010_tree_nodes@-2")  # through 0011, back to the rowid table of 0001, data copied
    assert "WITHOUT ROWID" not in _table_sql(db.engine)
    command.upgrade(cfg, "heads")
    assert "WITHOUT ROWID" in _table_sql(db.engine)
    with db.engine.connect() as conn:
        back = conn.execute(text("SELECT level, idx, hash FROM log_tree_nodes ORDER BY level, idx")).all()
    assert [tuple(r) for r in back] == rows
    db.dispose()
