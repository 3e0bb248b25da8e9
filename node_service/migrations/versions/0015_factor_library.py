"""factor library: factor_versions, factor_uses (backfilled from stored footprints), factor_recompute_notices,
factor_library_state

Revision ID: 0015_factor_library
Revises: 0001 (a branch of its own)
"""

import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015_factor_library"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    op.create_table(
        "factor_versions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("factor_id", sa.String(length=300), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("owner_organisation_id", sa.String(length=36), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("factor_id", "version"),
    )
    op.create_index("ix_factor_versions_current", "factor_versions", ["factor_id", "current"])
    op.create_index(
        "ix_factor_versions_owner_organisation_id", "factor_versions", ["owner_organisation_id"]
    )
    uses = op.create_table(
        "factor_uses",
        sa.Column("footprint_id", sa.String(length=36), nullable=False),
        sa.Column("factor_id", sa.String(length=300), nullable=False),
        sa.Column("factor_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["footprint_id"], ["footprints.id"]),
        sa.PrimaryKeyConstraint("footprint_id", "factor_id"),
    )
    op.create_index("ix_factor_uses_factor", "factor_uses", ["factor_id", "factor_version"])
    op.create_table(
        "factor_recompute_notices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("footprint_id", sa.String(length=36), nullable=False),
        sa.Column("factor_id", sa.String(length=300), nullable=False),
        sa.Column("old_version", sa.String(length=64), nullable=False),
        sa.Column("new_version", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["footprint_id"], ["footprints.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("footprint_id", "factor_id", "new_version"),
    )
    op.create_index(
        "ix_factor_recompute_notices_organisation_id", "factor_recompute_notices", ["organisation_id"]
    )
    state = op.create_table(
        "factor_library_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(state, [{"id": 1, "revision": 0, "token": uuid.uuid4().hex}])
    _backfill_uses(uses)


def _backfill_uses(uses: sa.Table) -> None:
    """factor_uses of the footprints stored before this revision (their result's ``factors`` list; an entry
    without a version used version "1", the only one there was)."""
    footprints = sa.table("footprints", sa.column("id", sa.String()), sa.column("result", sa.JSON()))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.select(footprints.c.id).order_by(footprints.c.id))]
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        rows: list[dict[str, Any]] = []
        query = sa.select(footprints.c.id, footprints.c.result).where(footprints.c.id.in_(batch))
        for footprint_id, result in connection.execute(query).all():
            seen: set[str] = set()
            for entry in ((result or {}).get("result") or {}).get("factors") or []:
                factor_id = entry.get("id") if isinstance(entry, dict) else None
                if not isinstance(factor_id, str) or factor_id in seen or len(factor_id) > 300:
                    continue
                seen.add(factor_id)
                version = str(entry.get("version") or "1")[:64]
                rows.append({"footprint_id": footprint_id, "factor_id": factor_id, "factor_version": version})
        if rows:
            op.bulk_insert(uses, rows)


def downgrade() -> None:
    op.drop_table("factor_library_state")
    op.drop_index("ix_factor_recompute_notices_organisation_id", table_name="factor_recompute_notices")
    op.drop_table("factor_recompute_notices")
    op.drop_index("ix_factor_uses_factor", table_name="factor_uses")
    op.drop_table("factor_uses")
    op.drop_index("ix_factor_versions_owner_organisation_id", table_name="factor_versions")
    op.drop_index("ix_factor_versions_current", table_name="factor_versions")
    op.drop_table("factor_versions")
