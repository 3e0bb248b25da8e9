"""The built-in library recorded in the database at node start (:func:`sync_builtin`).

Idempotent and cheap when nothing changed: one read of the current built-in rows' hashes, compared with the
shipped factors' content hashes. Otherwise one write transaction: a factor seen for the first time is recorded;
a factor whose shipped content differs from its current version gets a new version (the old one's ``valid_to``
set) and recompute notices go to the footprints that used an older version; a factor no longer shipped is
withdrawn (not current any more; stored results keep naming it). Nothing else is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from footprint_engine.factors import FactorLibrary
from node_service.db import Database
from node_service.services.factors.models import FactorVersion
from node_service.services.factors.notices import notify_new_version
from node_service.services.factors.versions import bump_revision, content_hash, record_version

__all__ = ["SyncReport", "sync_builtin"]


@dataclass(frozen=True)
class SyncReport:
    added: int
    new_versions: int
    withdrawn: int
    notices: int


def sync_builtin(
    db: Database, library: FactorLibrary | None = None, *, now: datetime | None = None
) -> SyncReport:
    """Record ``library`` (default: the engine's built-in one) as the node's built-in factor library."""
    shipped = (library or FactorLibrary.builtin()).factors()
    hashes = {f.id: content_hash(f) for f in shipped}
    with db.transaction() as session:
        stored = dict(
            session.execute(
                select(FactorVersion.factor_id, FactorVersion.sha256).where(
                    FactorVersion.owner_organisation_id.is_(None), FactorVersion.current.is_(True)
                )
            ).all()
        )
    changed = [f for f in shipped if stored.get(f.id) != hashes[f.id]]
    gone = sorted(set(stored) - set(hashes))
    if not changed and not gone:
        return SyncReport(0, 0, 0, 0)
    now = now or datetime.now(UTC)
    added = new_versions = notices = 0
    with db.write_transaction() as session:
        bump_revision(session)
        for factor in changed:
            recorded = record_version(session, factor, owner=None, now=now, digest=hashes[factor.id])
            if not recorded.changed:
                continue  # another process recorded it meanwhile
            if recorded.previous is None:
                added += 1
            else:
                new_versions += 1
                notices += notify_new_version(session, factor.id, recorded.version, now)
        for row in session.execute(
            select(FactorVersion).where(
                FactorVersion.factor_id.in_(gone),
                FactorVersion.owner_organisation_id.is_(None),
                FactorVersion.current.is_(True),
            )
        ).scalars():
            row.current = False
            row.valid_to = max(
                now.date() - timedelta(days=1), row.valid_from or now.date() - timedelta(days=1)
            )
    return SyncReport(added, new_versions, len(gone), notices)
