"""portal_sign_in_throttle: failed portal sign-ins per account and per client address, and the lock they earn

Revision ID: 0013_portal_sign_in_throttle
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_portal_sign_in_throttle"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_sign_in_throttle",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key"),
    )


def downgrade() -> None:
    op.drop_table("portal_sign_in_throttle")
