"""Footprints: computed by the engine from accepted activity data, visible to the owner and to whom it shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import FootprintResult, UpstreamFootprint
from node_service.db.models import Footprint, FootprintShare, Organisation
from node_service.errors import AccessDenied, NotFound, ValidationFailed
from node_service.services.context import NodeResources
from node_service.services.factors.library import organisation_library
from node_service.services.footprints.engine import calculate_activity
from node_service.services.footprints.visibility import add_share, may_see, visible_to
from node_service.services.organisations.keys import as_utc
from node_service.services.organisations.ownership import may_report, product_owner

__all__ = [
    "CitedFootprint",
    "cited_footprint",
    "compute_footprint_document",
    "footprint_for",
    "list_visible",
    "share_footprint",
    "visible_footprint",
    "visible_footprints",
]


@dataclass(frozen=True)
class CitedFootprint:
    """The one stored footprint an ``upstreamFootprint`` citation resolves to, and its publisher's did."""

    footprint: Footprint
    owner_did: str

    def to_upstream(self, version: int) -> UpstreamFootprint:
        result = FootprintResult.model_validate(self.footprint.result["result"])
        return result.to_upstream(version, result_id=self.footprint.id, owner=self.owner_did)


def cited_footprint(
    session: Session,
    identifier: str,
    version: int,
    viewer_id: str,
    field: str,
    sees: Callable[[Session, Footprint, str], bool] = may_see,
) -> CitedFootprint:
    """The footprint a citation ``{identifier, version}`` by ``viewer_id`` names — exactly one, or a 422 naming
    ``field``:

    (1) candidates: stored footprints of that product and version the viewer may see (``sees``), oldest first
        (created_at, id: the same answer whatever the rows' physical order);
    (2) when the identifier has an owner here (node_service.services.organisations.ownership), only footprints
        by the owner or by an organisation its prefix was delegated to when the footprint was stored count —
        a footprint anyone else stored for the product is never used;
    (3) none left: refused; more than one organisation's footprint left: refused as ambiguous (never a choice by
        row order).
    """
    # (1)
    rows = session.execute(
        select(Footprint, Organisation.did)
        .join(Organisation, Organisation.id == Footprint.organisation_id)
        .where(Footprint.product_id == identifier, Footprint.version == version)
        .order_by(Footprint.created_at, Footprint.id)
    ).all()
    visible = [(fp, did) for fp, did in rows if sees(session, fp, viewer_id)]
    # (2)
    owner = product_owner(session, identifier)
    if owner is not None:
        visible = [
            (fp, did)
            for fp, did in visible
            if may_report(session, owner, fp.organisation_id, as_utc(fp.created_at))
        ]
    # (3)
    if not visible:
        whose = f" by its owner ({owner.basis}) or the owner's delegates" if owner is not None else ""
        raise ValidationFailed(
            f"no footprint of {identifier} version {version}{whose} is shared with you",
            field=field,
            fix="ask the supplier to share that footprint with you, or drop upstreamFootprint to use a "
            "secondary factor",
        )
    publishers = sorted({did for _, did in visible})
    if len(publishers) > 1:
        raise ValidationFailed(
            f"{len(publishers)} organisations' footprints of {identifier} version {version} are shared with you "
            f"({', '.join(publishers)}) and the identifier has no single owner on this node, so the citation is "
            "ambiguous",
            field=field,
            fix="cite a product whose owner registered its IDIS prefix (or declared its GTIN) on this node, or "
            "ask the product's owner to do so, or drop upstreamFootprint to use a secondary factor",
        )
    footprint, did = visible[0]
    return CitedFootprint(footprint, did)


def upstream_for(
    session: Session,
    activity: ActivityData,
    viewer: Organisation,
    sees: Callable[[Session, Footprint, str], bool] = may_see,
) -> dict[str, UpstreamFootprint]:
    """The published footprints that ``activity``'s materials cite, as primary data for the engine: each citation
    resolved by :func:`cited_footprint` (one footprint, of the product's owner, that ``viewer`` ``sees``; else
    refused naming the input). The engine records each one's id and publisher in the result's
    ``upstreamSources``."""
    found: dict[str, UpstreamFootprint] = {}
    for i, material in enumerate(activity.inputs.materials):
        ref = material.upstream_footprint
        if ref is None:
            continue
        field = f"credentialSubject.inputs.materials[{i}].upstreamFootprint"
        cited = cited_footprint(session, ref.identifier, ref.version, viewer.id, field, sees=sees)
        found[f"{ref.identifier}@{ref.version}"] = cited.to_upstream(ref.version)
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
        library = organisation_library(session, viewer.id).library
    result = calculate_activity(node.settings, activity, upstream, library=library)
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
