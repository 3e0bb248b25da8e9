"""prefix_delegations: the owner of an IDIS prefix lets another organisation report its products' footprints

Revision ID: 0014_prefix_delegations
Revises: 0009_subperf (the identity branch)
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_prefix_delegations"
down_revision = "0009_subperf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prefix_delegations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prefix_key", sa.String(length=200), nullable=False),
        sa.Column("delegate_id", sa.String(length=36), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["delegate_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_prefix_delegations_prefix_key", "prefix_delegations", ["prefix_key"])
    op.create_index("ix_prefix_delegations_delegate_id", "prefix_delegations", ["delegate_id"])


def downgrade() -> None:
    op.drop_index("ix_prefix_delegations_delegate_id", table_name="prefix_delegations")
    op.drop_index("ix_prefix_delegations_prefix_key", table_name="prefix_delegations")
    op.drop_table("prefix_delegations")
