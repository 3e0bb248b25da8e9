"""pact: precomputed visibility (ListFootprints at scale), upstream citations and recompute notices

Revision ID: 0008
Revises: 0002
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pact_visibility",
        sa.Column("footprint_id", sa.String(length=36), nullable=False),
        sa.Column("viewer_id", sa.String(length=36), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["footprint_id"], ["pact_footprints.id"]),
        sa.PrimaryKeyConstraint("footprint_id", "viewer_id"),
    )
    with op.batch_alter_table("pact_visibility", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pact_visibility_viewer_order", ["viewer_id", "published_at", "footprint_id"], unique=False
        )
    op.create_table(
        "pact_citations",
        sa.Column("footprint_id", sa.String(length=36), nullable=False),
        sa.Column("upstream_product_id", sa.String(length=300), nullable=False),
        sa.Column("upstream_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["footprint_id"], ["footprints.id"]),
        sa.PrimaryKeyConstraint("footprint_id", "upstream_product_id", "upstream_version"),
    )
    with op.batch_alter_table("pact_citations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pact_citations_upstream", ["upstream_product_id", "upstream_version"], unique=False
        )
    op.create_table(
        "pact_recompute_notices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("footprint_id", sa.String(length=36), nullable=False),
        sa.Column("upstream_product_id", sa.String(length=300), nullable=False),
        sa.Column("cited_version", sa.Integer(), nullable=False),
        sa.Column("new_upstream_id", sa.String(length=36), nullable=False),
        sa.Column("new_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["footprint_id"], ["footprints.id"]),
        sa.ForeignKeyConstraint(["new_upstream_id"], ["footprints.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("footprint_id", "new_upstream_id"),
    )
    with op.batch_alter_table("pact_recompute_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pact_recompute_notices_organisation_id"), ["organisation_id"], unique=False
        )
    # Fill the visibility table from what is published and shared already.
    op.execute(
        "INSERT INTO pact_visibility (footprint_id, viewer_id, published_at) "
        "SELECT id, organisation_id, published_at FROM pact_footprints"
    )
    op.execute(
        "INSERT INTO pact_visibility (footprint_id, viewer_id, published_at) "
        "SELECT id, '*', published_at FROM pact_footprints WHERE public"
    )
    op.execute(
        "INSERT INTO pact_visibility (footprint_id, viewer_id, published_at) "
        "SELECT s.footprint_id, s.organisation_id, p.published_at FROM footprint_shares s "
        "JOIN pact_footprints p ON p.id = s.footprint_id WHERE s.organisation_id <> p.organisation_id"
    )
    # Citations of the footprints computed so far ("identifier@version" in result.upstreamFootprints).
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, result FROM footprints")).all()
    citations = []
    for footprint_id, result in rows:
        document = json.loads(result) if isinstance(result, str) else result
        cited = ((document or {}).get("result") or {}).get("upstreamFootprints") or []
        for ref in sorted(set(cited)):
            identifier, _, version = str(ref).rpartition("@")
            if identifier and version.isdigit():
                citations.append(
                    {
                        "footprint_id": footprint_id,
                        "upstream_product_id": identifier,
                        "upstream_version": int(version),
                    }
                )
    if citations:
        table = sa.table(
            "pact_citations",
            sa.column("footprint_id", sa.String),
            sa.column("upstream_product_id", sa.String),
            sa.column("upstream_version", sa.Integer),
        )
        op.bulk_insert(table, citations)


def downgrade() -> None:
    with op.batch_alter_table("pact_recompute_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pact_recompute_notices_organisation_id"))
    op.drop_table("pact_recompute_notices")
    with op.batch_alter_table("pact_citations", schema=None) as batch_op:
        batch_op.drop_index("ix_pact_citations_upstream")
    op.drop_table("pact_citations")
    with op.batch_alter_table("pact_visibility", schema=None) as batch_op:
        batch_op.drop_index("ix_pact_visibility_viewer_order")
    op.drop_table("pact_visibility")
