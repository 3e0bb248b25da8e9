"""footprint versions per (organisation, product)

Revision ID: 0007
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = ("footprint_versions",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("footprints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_footprints_org_product_version", ["organisation_id", "product_id", "version"]
        )


def downgrade() -> None:
    with op.batch_alter_table("footprints", schema=None) as batch_op:
        batch_op.drop_index("ix_footprints_org_product_version")
        batch_op.drop_column("version")
