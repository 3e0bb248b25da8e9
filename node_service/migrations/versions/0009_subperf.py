"""submissions: index for the accepted version of a product and period (superseded on a new version)

Revision ID: 0009_subperf
Revises: 0005
"""

from alembic import op

revision = "0009_subperf"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_current", ["product_id", "period_start", "period_end", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_current")
