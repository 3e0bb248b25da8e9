"""The recompute mechanism both kinds of recompute notice use: an upstream footprint's newer version
(node_service.services.pact.actions.recompute) and a factor's newer version
(node_service.services.factors.notices).

* :func:`check_status` checks the status a list of notices is filtered by; :func:`list_notices` and
  :func:`get_notice` read one organisation's notices of a kind;
* :func:`signed_activity` reads the footprint's own signed activity data back from its submission;
* :func:`validated_activity` validates it (a 422 when it no longer does);
* :func:`draft_body` shapes the engine's result as a ``RecomputedFootprintDraft``, the notice kind's own
  fields (``upstream`` or ``factor``) between ``declaredUnit`` and ``result``;
* :func:`store_draft` keeps the draft on the notice (status ``drafted``) unless the notice changed while the
  engine ran. A draft is never a published footprint, never logged, never anchored;
* :func:`notice_json` is a notice as the API shows it, the kind's own fields after ``footprintId``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData
from node_service.db.models import Footprint, Submission
from node_service.errors import Conflict, NotFound, ValidationFailed
from node_service.services.context import NodeResources

__all__ = [
    "DRAFT_TYPE",
    "DraftNotice",
    "draft_body",
    "get_notice",
    "list_notices",
    "notice_json",
    "signed_activity",
    "store_draft",
    "validated_activity",
]

DRAFT_TYPE = "RecomputedFootprintDraft"
#: The most notices one list answers.
MAX_NOTICES = 500
#: A notice is pending until a draft is stored on it.
STATUSES = ("pending", "drafted")


class DraftNotice(Protocol):
    """A recompute notice of either kind: what both kinds hold, and where the draft is kept."""

    id: str
    organisation_id: str
    footprint_id: str
    status: str
    created_at: datetime
    draft: dict[str, Any] | None
    drafted_at: datetime | None


NoticeT = TypeVar("NoticeT", bound=DraftNotice)


def check_status(status: str) -> str:
    """``status`` when it is one of :data:`STATUSES` (the filter of a list of notices); else a 422."""
    if status not in STATUSES:
        raise ValidationFailed(
            f"status: got {status[:20]!r}, want pending or drafted",
            field="status",
            fix="give pending or drafted",
        )
    return status


def list_notices(
    session: Session, model: type[NoticeT], organisation_id: str, status: str | None
) -> list[NoticeT]:
    """The organisation's notices of one kind (``model``), newest first, optionally of one status."""
    query = select(model).where(model.organisation_id == organisation_id)  # type: ignore[arg-type]
    if status is not None:
        query = query.where(model.status == check_status(status))  # type: ignore[arg-type]
    order = (model.created_at.desc(), model.id)  # type: ignore[attr-defined]
    return list(session.execute(query.order_by(*order).limit(MAX_NOTICES)).scalars())


def get_notice(
    session: Session, model: type[NoticeT], organisation_id: str, notice_id: str, *, what: str, fix: str
) -> NoticeT:
    """The organisation's notice ``notice_id`` of one kind; a 404 naming ``what`` when it is not theirs."""
    notice = session.get(model, notice_id) if len(notice_id) <= 36 else None
    if notice is None or notice.organisation_id != organisation_id:
        raise NotFound(f"no {what} {notice_id[:60]} of yours", fix=fix)
    return notice


def signed_activity(session: Session, footprint_id: str) -> tuple[Footprint, dict[str, Any]]:
    """The footprint and the ``credentialSubject`` of its signed activity data (404 when either is gone)."""
    footprint = session.get(Footprint, footprint_id)
    submission = session.get(Submission, footprint.submission_id) if footprint is not None else None
    if footprint is None or submission is None:
        raise NotFound(f"footprint {footprint_id} of the notice is gone", fix="nothing to recompute")
    return footprint, (submission.credential or {}).get("credentialSubject") or {}


def validated_activity(footprint_id: str, subject: dict[str, Any]) -> ActivityData:
    try:
        return ActivityData.model_validate(subject)
    except ValidationError as exc:
        raise ValidationFailed(
            f"the activity data of footprint {footprint_id} no longer validates: {exc.errors()[0]['msg']}",
            field="credentialSubject",
            fix="submit new activity data instead",
        ) from exc


def draft_body(
    *,
    based_on: str,
    based_on_version: int | None,
    activity: ActivityData,
    organisation_did: str,
    own: Mapping[str, Any],
    result: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The draft: the footprint it recomputes, the activity's product, period and unit, the notice kind's
    ``own`` fields, the engine's result and when it was computed."""
    return {
        "type": DRAFT_TYPE,
        "status": "draft",
        "basedOn": based_on,
        "basedOnVersion": based_on_version,
        "productId": activity.product_identifier,
        "organisation": organisation_did,
        "reportingPeriod": {
            "start": activity.reporting_period.start.isoformat(),
            "end": activity.reporting_period.end.isoformat(),
        },
        "declaredUnit": activity.declared_unit,
        **own,
        "result": result,
        "createdAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def store_draft(
    node: NodeResources,
    notice_id: str,
    load: Callable[[Session], NoticeT],
    unchanged: Callable[[NoticeT], bool],
    draft: dict[str, Any],
    now: datetime,
) -> NoticeT:
    """Keep ``draft`` on the notice ``load`` returns, in its own transaction; 409 when ``unchanged`` says the
    notice was renewed while the engine ran (the draft would answer an older notice)."""
    with node.db.transaction() as session:
        notice = load(session)
        if not unchanged(notice):
            raise Conflict(f"notice {notice_id} changed meanwhile", fix="ask again")
        notice.draft = draft
        notice.status = "drafted"
        notice.drafted_at = now
        session.flush()
        session.expunge(notice)
    return notice


def notice_json(notice: DraftNotice, own: Mapping[str, Any], *, with_draft: bool) -> dict[str, Any]:
    """The notice as the API shows it: ``own`` holds the kind's fields (what changed, old and new version)."""
    body: dict[str, Any] = {
        "id": notice.id,
        "footprintId": notice.footprint_id,
        **own,
        "status": notice.status,
        "createdAt": notice.created_at.isoformat(),
        "draftedAt": notice.drafted_at.isoformat() if notice.drafted_at else None,
    }
    if with_draft:
        body["draft"] = notice.draft
    return body
