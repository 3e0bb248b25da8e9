"""log_tree_tiles: each complete tile of the tree (62 hashes under one node, five levels), so an inclusion
proof reads one row per tier instead of one per level; filled here from log_tree_nodes for an existing log

Revision ID: 0011_tree_tiles
Revises: 0010_tree_nodes
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_tree_tiles"
down_revision = "0010_tree_nodes"
branch_labels = None
depends_on = None

HEIGHT = 5  # node_service.transparency.tiles.TILE_HEIGHT, fixed here as this migration wrote it
CHUNK = 1024  # tiles per read


def upgrade() -> None:
    op.create_table(
        "log_tree_tiles",
        sa.Column("tier", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tile", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hashes", sa.LargeBinary(length=1984), nullable=False),
        sa.PrimaryKeyConstraint("tier", "tile"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # 1,984 bytes of random hashes: never worth compressing or moving out of line (TOAST)
        op.execute("ALTER TABLE log_tree_tiles ALTER COLUMN hashes SET STORAGE PLAIN")
    _fill_from_nodes(op.get_bind())


def downgrade() -> None:
    op.drop_table("log_tree_tiles")


def _fill_from_nodes(conn: sa.Connection) -> None:
    """Write every complete tile of the existing tree: tile (tier, t) is complete once node
    (HEIGHT * (tier + 1), t) exists, i.e. when (t + 1) << HEIGHT * (tier + 1) <= tree size."""
    size = conn.execute(sa.text("SELECT tree_size FROM log_state WHERE id = 1")).scalar() or 0
    select = sa.text(
        "SELECT idx, hash FROM log_tree_nodes WHERE level = :level AND idx >= :lo AND idx < :hi ORDER BY idx"
    )
    insert = sa.text("INSERT INTO log_tree_tiles (tier, tile, hashes) VALUES (:tier, :tile, :hashes)")
    tier = 0
    while size >> (HEIGHT * (tier + 1)):
        complete = size >> (HEIGHT * (tier + 1))
        for first in range(0, complete, CHUNK):
            last = min(complete, first + CHUNK)
            rows = []  # per level of the tile: the hashes of tiles first .. last - 1, in order
            for local in range(HEIGHT):
                width = 1 << (HEIGHT - local)
                level = HEIGHT * tier + local
                read = conn.execute(select, {"level": level, "lo": first * width, "hi": last * width}).all()
                if len(read) != (last - first) * width:
                    raise RuntimeError(
                        f"log_tree_nodes lacks hashes at level {level} for tiles {first}..{last - 1} of tier "
                        f"{tier} (tree size {size}): the tree store lost nodes; restore the database"
                    )
                rows.append((width, [bytes(h) for _, h in read]))
            conn.execute(
                insert,
                [
                    {
                        "tier": tier,
                        "tile": first + j,
                        "hashes": b"".join(b"".join(r[j * w : (j + 1) * w]) for w, r in rows),
                    }
                    for j in range(last - first)
                ],
            )
        tier += 1
