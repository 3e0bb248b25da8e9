"""pact_outbox.spec_major: the PACT major version an event is sent as (its type, and the recipient's
``/2/events`` or ``/3/events``); rows queued before are v3 events

Revision ID: 0012_pact_outbox_major
Revises: 0008 (the pact branch)
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_pact_outbox_major"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pact_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spec_major", sa.Integer(), server_default="3", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("pact_outbox", schema=None) as batch_op:
        batch_op.drop_column("spec_major")
