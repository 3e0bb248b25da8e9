"""chain_deployment_history: every anchor contract deployed, current and retired, filled from
chain_deployments (the current contract per chain), so receipts of a retired contract stay verifiable

Revision ID: 0013_chain_deployment_history
Revises: 0001 (its own branch: it needs only chain_deployments)
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_chain_deployment_history"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_deployment_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract_address", sa.String(length=42), nullable=False),
        sa.Column("genesis_hash", sa.String(length=66), nullable=False),
        sa.Column("transaction_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_chain_deployment_history_chain_id", "chain_deployment_history", ["chain_id"], unique=False
    )
    op.execute(
        "INSERT INTO chain_deployment_history (chain_id, contract_address, genesis_hash, transaction_hash,"
        " block_number, deployed_at) SELECT chain_id, contract_address, genesis_hash, transaction_hash,"
        " block_number, created_at FROM chain_deployments"
    )


def downgrade() -> None:
    op.drop_index("ix_chain_deployment_history_chain_id", table_name="chain_deployment_history")
    op.drop_table("chain_deployment_history")
