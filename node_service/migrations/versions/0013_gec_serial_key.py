"""gec_claims.serial_key: the canonical GEC serial (footprint_engine.gec_serial), unique, for stored claims too

Revision ID: 0013_gec_serial_key
Revises: 0006 (the evidence branch)

Every stored claim gets the comparison key of its serial (NFKC, format characters, whitespace and separators
removed, upper case; legacy serials are never refused, only compared). Claims stored before this rule may
collide — one certificate claimed twice in two spellings, which the old check let through. The upgrade does not
fail on them and decides nothing about who was right: the earliest claim (by ``claimed_at``, then serial) keeps
the key, the later ones keep NULL, and each collision is logged as a warning naming the claims. ``tanlian check
claims`` lists them for as long as they are stored; rows are never rewritten or deleted.
"""

import logging
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from footprint_engine.gec_serial import legacy_gec_serial_key

revision = "0013_gec_serial_key"
down_revision = "0006"
branch_labels = None
depends_on = None

log = logging.getLogger("tanlian.migrations")


def upgrade() -> None:
    op.add_column("gec_claims", sa.Column("serial_key", sa.String(length=200), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT serial, organisation_id, submission_id, claimed_at FROM gec_claims "
            "ORDER BY claimed_at, serial"
        )
    ).all()
    by_key: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for serial, organisation_id, submission_id, _claimed_at in rows:
        by_key[legacy_gec_serial_key(serial)].append((serial, organisation_id, submission_id))
    updates = [{"k": key, "s": claims[0][0]} for key, claims in by_key.items()]
    for start in range(0, len(updates), 1000):
        bind.execute(
            sa.text("UPDATE gec_claims SET serial_key = :k WHERE serial = :s"), updates[start : start + 1000]
        )
    for key, claims in sorted(by_key.items()):
        if len(claims) > 1:
            holder, *others = claims
            log.warning(
                "GEC serial collision in stored claims: canonical serial %s is held by %r (submission %s) and "
                "also claimed as %s — the later claims keep no canonical key; run `tanlian check claims` to "
                "list them and settle them with the organisations",
                key,
                holder[0],
                holder[2],
                ", ".join(f"{serial!r} (submission {submission})" for serial, _, submission in others),
            )
    op.create_index("ix_gec_claims_serial_key", "gec_claims", ["serial_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_gec_claims_serial_key", table_name="gec_claims")
    with op.batch_alter_table("gec_claims", schema=None) as batch_op:
        batch_op.drop_column("serial_key")
