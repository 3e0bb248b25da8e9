"""portal_drafts: activity data being entered on the portal (header and rows), saved on every upload and check

Revision ID: 0017_portal_drafts
Revises: 0013_portal_sign_in_throttle
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_portal_drafts"
down_revision = "0013_portal_sign_in_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_drafts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("period_start", sa.String(length=10), nullable=False),
        sa.Column("period_end", sa.String(length=10), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "product_id", "period_start", "period_end"),
    )
    op.create_index(
        "ix_portal_drafts_organisation_updated", "portal_drafts", ["organisation_id", "updated_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_portal_drafts_organisation_updated", table_name="portal_drafts")
    op.drop_table("portal_drafts")
