"""Recompute notices: a buyer whose footprint cites a product (an activity input's ``upstreamFootprint``) learns
when a newer footprint version of that product is published to it, and may ask for a recomputed draft.

* Citations are recorded when a footprint is stored (``pact_citations``, from the engine result's
  ``upstreamFootprints`` "identifier@version" list) by an ORM event, so every submission path records them.
* :func:`notify_new_version` runs when a footprint is published over PACT (or its visibility changes): every
  organisation that can now see it and whose latest footprint of a product cites an older version of it gets
  one notice (per footprint and new version).
* :func:`recompute` re-runs the buyer's own signed activity data with the cited version replaced by the new
  one through the node's engine (``calculate_activity``) and keeps the result as the notice's draft: it is not
  a published footprint, is not logged or anchored, and changes nothing the buyer has published.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import UpstreamFootprint
from node_service.db.models import Footprint, FootprintShare, Organisation
from node_service.services.context import NodeResources
from node_service.services.factors.library import organisation_library
from node_service.services.footprints import recompute_draft
from node_service.services.footprints.documents import upstream_for
from node_service.services.footprints.engine import calculate_activity
from node_service.services.footprints.recompute_draft import (
    DRAFT_TYPE,
    draft_body,
    signed_activity,
    store_draft,
    validated_activity,
)
from node_service.services.footprints.visibility import may_see_published
from node_service.services.pact.models import PactCitation, PactFootprint, PactRecomputeNotice

__all__ = ["DRAFT_TYPE", "get_notice", "list_notices", "notify_new_version", "recompute"]


def _sees(session: Session, footprint: Footprint, organisation_id: str) -> bool:
    """The organisation may use ``footprint``: its own, shared with it, or published to it over PACT."""
    if footprint.organisation_id == organisation_id:
        return True
    if session.get(FootprintShare, (footprint.id, organisation_id)) is not None:
        return True
    published = session.get(PactFootprint, footprint.id)
    return published is not None and may_see_published(session, published, organisation_id)


def _latest_version(session: Session, organisation_id: str, product_id: str) -> int | None:
    return session.execute(
        select(func.max(Footprint.version)).where(
            Footprint.organisation_id == organisation_id, Footprint.product_id == product_id
        )
    ).scalar_one_or_none()


def notify_new_version(session: Session, published: PactFootprint) -> int:
    """Notices for the buyers of a newly visible upstream version; returns how many were created."""
    new = session.get(Footprint, published.id)
    if new is None or new.version is None:
        return 0
    citing = session.execute(
        select(PactCitation, Footprint)
        .join(Footprint, Footprint.id == PactCitation.footprint_id)
        .where(
            PactCitation.upstream_product_id == new.product_id,
            PactCitation.upstream_version < new.version,
            Footprint.organisation_id != new.organisation_id,
        )
    ).all()
    created = 0
    now = datetime.now(UTC)
    for citation, footprint in citing:
        if footprint.version != _latest_version(session, footprint.organisation_id, footprint.product_id):
            continue  # an older version of the buyer's product: its newest one gets the notice
        if not _sees(session, new, footprint.organisation_id):
            continue
        exists = session.execute(
            select(PactRecomputeNotice.id).where(
                PactRecomputeNotice.footprint_id == footprint.id,
                PactRecomputeNotice.new_upstream_id == new.id,
            )
        ).first()
        if exists is not None:
            continue
        session.add(
            PactRecomputeNotice(
                id=str(uuid.uuid4()),
                organisation_id=footprint.organisation_id,
                footprint_id=footprint.id,
                upstream_product_id=new.product_id,
                cited_version=citation.upstream_version,
                new_upstream_id=new.id,
                new_version=new.version,
                status="pending",
                created_at=now,
            )
        )
        created += 1
    return created


def list_notices(
    session: Session, organisation: Organisation, status: str | None
) -> list[PactRecomputeNotice]:
    return recompute_draft.list_notices(session, PactRecomputeNotice, organisation.id, status)


def get_notice(session: Session, organisation: Organisation, notice_id: str) -> PactRecomputeNotice:
    return recompute_draft.get_notice(
        session,
        PactRecomputeNotice,
        organisation.id,
        notice_id,
        what="recompute notice",
        fix="list them at GET /pact/recompute-notices",
    )


@dataclass(frozen=True)
class _Inputs:
    activity: ActivityData
    upstream: dict[str, UpstreamFootprint]
    based_on: Footprint


def _with_new_version(subject: dict[str, Any], product_id: str, version: int) -> dict[str, Any]:
    """The activity data with every material citing ``product_id`` pointed at ``version``."""
    changed = copy.deepcopy(subject)
    for material in (changed.get("inputs") or {}).get("materials") or []:
        ref = material.get("upstreamFootprint") if isinstance(material, dict) else None
        if isinstance(ref, dict) and ref.get("identifier") == product_id:
            ref["version"] = version
    return changed


def _inputs(session: Session, notice: PactRecomputeNotice, organisation: Organisation) -> _Inputs:
    """Steps (1)-(3) of :func:`recompute`, inside one read transaction."""
    # (1)
    footprint, signed = signed_activity(session, notice.footprint_id)
    subject = _with_new_version(signed, notice.upstream_product_id, notice.new_version)
    activity = validated_activity(footprint.id, subject)
    # (2) + (3)
    upstream = upstream_for(session, activity, organisation, sees=_sees)
    session.expunge(footprint)
    return _Inputs(activity, upstream, footprint)


def recompute(node: NodeResources, organisation: Organisation, notice_id: str) -> PactRecomputeNotice:
    """The buyer's footprint recomputed with the new upstream version, stored as the notice's draft. Steps:

    (1) the notice is the caller's, and its footprint's signed activity data is still on the node;
    (2) the material(s) citing the upstream product now cite the notice's new version;
    (3) every cited upstream footprint exists at that version and is visible to the caller;
    (4) the engine computes the result (a 422 names the field it refuses);
    (5) the draft is stored on the notice (status ``drafted``); nothing is published, logged or anchored.
    """
    with node.db.transaction() as session:
        notice = get_notice(session, organisation, notice_id)
        inputs = _inputs(session, notice, organisation)
        new_upstream_id, new_version = notice.new_upstream_id, notice.new_version
        library = organisation_library(session, organisation.id).library
    # (4)
    result = calculate_activity(node.settings, inputs.activity, inputs.upstream, library=library)
    now = datetime.now(UTC)
    draft = draft_body(
        based_on=inputs.based_on.id,
        based_on_version=inputs.based_on.version,
        activity=inputs.activity,
        organisation_did=organisation.did,
        own={"upstream": {"footprintId": new_upstream_id, "version": new_version}},
        result=result,
        now=now,
    )
    # (5)
    return store_draft(
        node,
        notice_id,
        lambda session: get_notice(session, organisation, notice_id),
        lambda notice: notice.new_upstream_id == new_upstream_id,
        draft,
        now,
    )
