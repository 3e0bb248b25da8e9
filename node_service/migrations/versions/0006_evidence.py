"""Evidence ownership and grants, and GEC serials claimed across the exchange (branch "evidence" off 0001)

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = ("evidence",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("cid", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=250), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("organisation_id", "cid"),
        sa.UniqueConstraint("entry_id"),
    )
    op.create_index("ix_evidence_files_cid", "evidence_files", ["cid"])
    op.create_table(
        "evidence_grants",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("cid", sa.String(length=100), nullable=False),
        sa.Column("grantee_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["grantee_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("organisation_id", "cid", "grantee_id"),
    )
    op.create_index("ix_evidence_grants_grantee_id", "evidence_grants", ["grantee_id"])
    op.create_table(
        "gec_claims",
        sa.Column("serial", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=200), nullable=False),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=250), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("serial"),
        sa.UniqueConstraint("entry_id"),
    )
    op.create_index("ix_gec_claims_organisation_id", "gec_claims", ["organisation_id"])
    op.create_index("ix_gec_claims_submission_id", "gec_claims", ["submission_id"])


def downgrade() -> None:
    op.drop_index("ix_gec_claims_submission_id", table_name="gec_claims")
    op.drop_index("ix_gec_claims_organisation_id", table_name="gec_claims")
    op.drop_table("gec_claims")
    op.drop_index("ix_evidence_grants_grantee_id", table_name="evidence_grants")
    op.drop_table("evidence_grants")
    op.drop_index("ix_evidence_files_cid", table_name="evidence_files")
    op.drop_table("evidence_files")
