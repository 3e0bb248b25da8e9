"""log_tree_nodes: a WITHOUT ROWID table on SQLite (one B-tree keyed by (level, idx) instead of a rowid table
plus its primary-key index: a proof's look-ups walk one tree, about half the time per query)

Revision ID: 0010_tree_nodes
Revises: 0001
"""

from alembic import op

revision = "0010_tree_nodes"
down_revision = "0001"
branch_labels = None
depends_on = None


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL keeps a heap and its primary-key index
    suffix = "" if with_rowid else " WITHOUT ROWID"
    op.execute(
        "CREATE TABLE log_tree_nodes_rebuilt (level INTEGER NOT NULL, idx BIGINT NOT NULL, "
        f"hash BLOB NOT NULL, PRIMARY KEY (level, idx)){suffix}"
    )
    op.execute(
        "INSERT INTO log_tree_nodes_rebuilt (level, idx, hash) SELECT level, idx, hash FROM log_tree_nodes"
    )
    op.execute("DROP TABLE log_tree_nodes")
    op.execute("ALTER TABLE log_tree_nodes_rebuilt RENAME TO log_tree_nodes")


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
