"""Recompute notices for new factor versions, in the shape of the upstream-footprint notices
(node_service.services.pact.actions.recompute):

* :func:`notify_new_version` runs in the transaction that records a new version of a factor: every organisation
  whose newest footprint of a product used an older version of it, and that may use the new one (the visibility
  rule of node_service.services.factors.library), gets one notice per footprint and new version. Stored
  footprints, their log entries and receipts are not touched.
* :func:`recompute` re-runs the footprint's own signed activity data through the node's engine with the
  organisation's current library and keeps the result as the notice's draft: not a published footprint, not
  logged, not anchored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from node_service.db.models import Footprint, Organisation
from node_service.services.context import NodeResources
from node_service.services.factors.library import organisation_library
from node_service.services.factors.models import FactorRecomputeNotice, FactorUseRecord, FactorVersion
from node_service.services.footprints import recompute_draft
from node_service.services.footprints.documents import upstream_for
from node_service.services.footprints.engine import calculate_activity
from node_service.services.footprints.recompute_draft import (
    DRAFT_TYPE,
    STATUSES,
    draft_body,
    signed_activity,
    store_draft,
    validated_activity,
)

__all__ = ["DRAFT_TYPE", "STATUSES", "get_notice", "list_notices", "notify_new_version", "recompute"]


def notify_new_version(session: Session, factor_id: str, new_version: str, now: datetime) -> int:
    """Notices for the footprints that used an older version of ``factor_id``; returns how many were created."""
    row = session.execute(
        select(FactorVersion).where(
            FactorVersion.factor_id == factor_id, FactorVersion.version == new_version
        )
    ).scalar_one()
    newer = aliased(Footprint)
    newest = (
        select(func.max(newer.version))
        .where(newer.organisation_id == Footprint.organisation_id, newer.product_id == Footprint.product_id)
        .scalar_subquery()
    )
    query = (
        select(FactorUseRecord.footprint_id, FactorUseRecord.factor_version, Footprint.organisation_id)
        .join(Footprint, Footprint.id == FactorUseRecord.footprint_id)
        .where(
            FactorUseRecord.factor_id == factor_id,
            FactorUseRecord.factor_version != new_version,
            Footprint.version == newest,  # each organisation's newest footprint of a product only
        )
    )
    if row.owner_organisation_id is not None and not row.published:
        query = query.where(Footprint.organisation_id == row.owner_organisation_id)  # nobody else may use it
    found = session.execute(query).all()
    if not found:
        return 0
    already = set(
        session.execute(
            select(FactorRecomputeNotice.footprint_id).where(
                FactorRecomputeNotice.factor_id == factor_id, FactorRecomputeNotice.new_version == new_version
            )
        ).scalars()
    )
    created = 0
    for footprint_id, old_version, organisation_id in found:
        if footprint_id in already:
            continue
        session.add(
            FactorRecomputeNotice(
                id=str(uuid.uuid4()),
                organisation_id=organisation_id,
                footprint_id=footprint_id,
                factor_id=factor_id,
                old_version=old_version,
                new_version=new_version,
                status="pending",
                created_at=now,
            )
        )
        created += 1
    return created


def list_notices(
    session: Session, organisation: Organisation, status: str | None
) -> list[FactorRecomputeNotice]:
    return recompute_draft.list_notices(session, FactorRecomputeNotice, organisation.id, status)


def get_notice(session: Session, organisation: Organisation, notice_id: str) -> FactorRecomputeNotice:
    return recompute_draft.get_notice(
        session,
        FactorRecomputeNotice,
        organisation.id,
        notice_id,
        what="factor recompute notice",
        fix="list them at GET /factors/recompute-notices",
    )


def recompute(node: NodeResources, organisation: Organisation, notice_id: str) -> FactorRecomputeNotice:
    """The footprint recomputed with the current factor versions, stored as the notice's draft. Steps:

    (1) the notice is the caller's, and its footprint's signed activity data is still on the node;
    (2) the upstream footprints it cites are resolved as for a submission, and the caller's current library
        (which holds the notice's new version, or a newer one) is taken;
    (3) the engine computes the result (a 422 names the field it refuses);
    (4) the draft is stored on the notice (status ``drafted``); nothing is published, logged or anchored.
    """
    with node.db.transaction() as session:
        # (1)
        notice = get_notice(session, organisation, notice_id)
        footprint, subject = signed_activity(session, notice.footprint_id)
        activity = validated_activity(footprint.id, subject)
        # (2)
        upstream = upstream_for(session, activity, organisation)
        library = organisation_library(session, organisation.id).library
        based_on, based_on_version = footprint.id, footprint.version
        factor_id, old_version, new_version = notice.factor_id, notice.old_version, notice.new_version
    # (3)
    result = calculate_activity(node.settings, activity, upstream, library=library)
    now = datetime.now(UTC)
    used = next((f.get("version") for f in result.get("factors") or [] if f.get("id") == factor_id), None)
    own = {
        "factor": {"id": factor_id, "oldVersion": old_version, "newVersion": new_version, "usedVersion": used}
    }
    draft = draft_body(
        based_on=based_on,
        based_on_version=based_on_version,
        activity=activity,
        organisation_did=organisation.did,
        own=own,
        result=result,
        now=now,
    )
    # (4)
    return store_draft(
        node,
        notice_id,
        lambda session: get_notice(session, organisation, notice_id),
        lambda notice: notice.new_version == new_version,
        draft,
        now,
    )
