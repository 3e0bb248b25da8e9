"""identity: organisation prefixes and contacts, handle records, submission flags (branch identity off 0001)

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-21 13:47:21.205455
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = ("identity",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handle_records",
        sa.Column("handle_key", sa.String(length=1100), nullable=False),
        sa.Column("handle", sa.String(length=1100), nullable=False),
        sa.Column("prefix_key", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("handle_key"),
    )
    with op.batch_alter_table("handle_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handle_records_prefix_key"), ["prefix_key"], unique=False)

    op.create_table(
        "handle_gtins",
        sa.Column("gtin14", sa.String(length=14), nullable=False),
        sa.Column("handle_key", sa.String(length=1100), nullable=False),
        sa.ForeignKeyConstraint(["handle_key"], ["handle_records.handle_key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("gtin14", "handle_key"),
    )
    with op.batch_alter_table("handle_gtins", schema=None) as batch_op:
        batch_op.create_index("ix_handle_gtins_handle", ["handle_key"], unique=False)

    op.create_table(
        "handle_values",
        sa.Column("handle_key", sa.String(length=1100), nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=256), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("ttl", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["handle_key"], ["handle_records.handle_key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("handle_key", "idx"),
    )
    op.create_table(
        "organisation_contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisation_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_contacts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "organisation_prefixes",
        sa.Column("prefix_key", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("prefix_key"),
    )
    with op.batch_alter_table("organisation_prefixes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_prefixes_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "submission_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=300), nullable=True),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("submission_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_flags_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("submission_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_flags_submission_id"))

    op.drop_table("submission_flags")
    with op.batch_alter_table("organisation_prefixes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_prefixes_organisation_id"))

    op.drop_table("organisation_prefixes")
    with op.batch_alter_table("organisation_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_contacts_organisation_id"))

    op.drop_table("organisation_contacts")
    op.drop_table("handle_values")
    with op.batch_alter_table("handle_gtins", schema=None) as batch_op:
        batch_op.drop_index("ix_handle_gtins_handle")

    op.drop_table("handle_gtins")
    with op.batch_alter_table("handle_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handle_records_prefix_key"))

    op.drop_table("handle_records")
