"""Footprints: computed by the engine from accepted activity data, visible to the owner and to whom it shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import FootprintResult, UpstreamFootprint
from node_service.db.models import Footprint, FootprintShare, Organisation
from node_service.errors import AccessDenied, NotFound, ValidationFailed
from node_service.services.context import NodeResources
from node_service.services.footprints.engine import calculate_activity
from node_service.services.footprints.visibility import add_share, may_see, visible_to

__all__ = [
    "compute_footprint_document",
    "footprint_for",
    "list_visible",
    "share_footprint",
    "visible_footprint",
    "visible_footprints",
]


def upstream_for(
    session: Session, activity: ActivityData, viewer: Organisation
) -> dict[str, UpstreamFootprint]:
    """The published footprints that ``activity``'s materials cite, as primary data for the engine.

    A cited footprint must exist at that version and be visible to the submitter (its own, or shared with it);
    otherwise the submission is refused naming the input.
    """
    found: dict[str, UpstreamFootprint] = {}
    for i, material in enumerate(activity.inputs.materials):
        ref = material.upstream_footprint
        if ref is None:
            continue
        footprint = session.execute(
            select(Footprint).where(Footprint.product_id == ref.identifier, Footprint.version == ref.version)
        ).scalars()
        visible = [fp for fp in footprint if may_see(session, fp, viewer.id)]
        if not visible:
            raise ValidationFailed(
                f"no footprint of {ref.identifier} version {ref.version} is shared with you",
                field=f"credentialSubject.inputs.materials[{i}].upstreamFootprint",
                fix="ask the supplier to share that footprint with you, or drop upstreamFootprint to use a "
                "secondary factor",
            )
        chosen = visible[0]
        result = FootprintResult.model_validate(chosen.result["result"])
        found[f"{ref.identifier}@{ref.version}"] = result.to_upstream(ref.version, result_id=chosen.id)
    return found


def compute_footprint_document(
    node: NodeResources, activity: ActivityData, *, footprint_id: str, submission_id: str, organisation: str
) -> dict[str, Any]:
    """The footprint document the node stores, hashes into the log and serves, but for its ``version``:
    the next of this organisation's product, which the storing transaction sets
    (node_service.services.submissions.service.store_submission), so that concurrent submissions never share one.
    """
    with node.db.transaction() as session:
        viewer = session.execute(select(Organisation).where(Organisation.did == organisation)).scalar_one()
        upstream = upstream_for(session, activity, viewer)
    result = calculate_activity(node.settings, activity, upstream)
    return {
        "id": footprint_id,
        "type": "ProductCarbonFootprint",
        "productId": activity.product_identifier,
        "productName": activity.product_name,
        "organisation": organisation,
        "submissionId": submission_id,
        "reportingPeriod": {
            "start": activity.reporting_period.start.isoformat(),
            "end": activity.reporting_period.end.isoformat(),
        },
        "declaredUnit": activity.declared_unit,
        "result": result,
        "createdAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def footprint_for(session: Session, footprint_id: str, viewer: Organisation) -> Footprint:
    footprint = session.get(Footprint, footprint_id)
    # the same answer for "absent" and "not yours", so ids cannot be probed
    if footprint is None or not may_see(session, footprint, viewer.id):
        raise NotFound(
            f"no footprint {footprint_id} visible to you", fix="ask the supplier to share it with you"
        )
    return footprint


def list_visible(session: Session, viewer: Organisation, *, limit: int = 100) -> list[Footprint]:
    """The footprints ``viewer`` may see (visibility.may_see), newest first."""
    rows = session.execute(
        select(Footprint).where(visible_to(viewer.id)).order_by(Footprint.created_at.desc()).limit(limit)
    ).scalars()
    return list(rows)


def visible_footprint(node: NodeResources, footprint_id: str, viewer: Organisation) -> Footprint:
    """:func:`footprint_for` in a transaction of its own."""
    with node.db.transaction() as session:
        return footprint_for(session, footprint_id, viewer)


def visible_footprints(node: NodeResources, viewer: Organisation, *, limit: int = 100) -> list[Footprint]:
    """:func:`list_visible` in a transaction of its own."""
    with node.db.transaction() as session:
        return list_visible(session, viewer, limit=limit)


def share_footprint(
    node: NodeResources, footprint_id: str, owner: Organisation, buyer_did: str
) -> FootprintShare:
    with node.db.transaction() as session:
        footprint = session.get(Footprint, footprint_id)
        if footprint is None or footprint.organisation_id != owner.id:
            raise AccessDenied(
                f"footprint {footprint_id} is not yours to share", fix="share only your own footprints"
            )
        buyer = session.execute(
            select(Organisation).where(Organisation.did == buyer_did)
        ).scalar_one_or_none()
        if buyer is None:
            raise ValidationFailed(
                f"no organisation {buyer_did} on this exchange",
                field="organisation",
                fix="check the buyer's did",
            )
        existing = session.get(FootprintShare, (footprint_id, buyer.id))
        if existing is not None:
            return existing
        return add_share(session, footprint_id, buyer.id, datetime.now(UTC))
