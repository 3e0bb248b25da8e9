"""reference tables: reference_table_versions (every version of every reference table the engine ships, with its
rows; recorded at node start by services/factors/reference_tables.sync_reference_tables)

Revision ID: 0016_reference_tables
Revises: 0015_factor_library (the factor library's branch)
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_reference_tables"
down_revision = "0015_factor_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_table_versions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("name", "version"),
    )
    op.create_index("ix_reference_table_versions_current", "reference_table_versions", ["name", "current"])


def downgrade() -> None:
    op.drop_index("ix_reference_table_versions_current", table_name="reference_table_versions")
    op.drop_table("reference_table_versions")
