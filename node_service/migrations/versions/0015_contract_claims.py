"""contract_claims: green-power contracts (绿电交易) claimed once across the exchange per delivery window

Revision ID: 0015_contract_claims
Revises: 0013_gec_serial_key (the evidence branch)

One row per contract claim of a stored submission: the contract id as given and its canonical form
(footprint_engine.gec_serial), the delivery window (ISO dates), the claimant. A contract may be claimed again
only for a delivery window that does not overlap one already claimed (node_service.services.evidence_files.
contract_claims checks it in the submission's transaction). Submissions stored before this table hold no rows:
their contracts were never de-duplicated, and nothing is inferred for them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_contract_claims"
down_revision = "0013_gec_serial_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("contract_key", sa.String(length=200), nullable=False),
        sa.Column("delivery_start", sa.String(length=10), nullable=False),
        sa.Column("delivery_end", sa.String(length=10), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=200), nullable=False),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contract_claims_contract_key", "contract_claims", ["contract_key"])
    op.create_index("ix_contract_claims_submission_id", "contract_claims", ["submission_id"])
    op.create_index("ix_contract_claims_organisation_id", "contract_claims", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_contract_claims_organisation_id", table_name="contract_claims")
    op.drop_index("ix_contract_claims_submission_id", table_name="contract_claims")
    op.drop_index("ix_contract_claims_contract_key", table_name="contract_claims")
    op.drop_table("contract_claims")
