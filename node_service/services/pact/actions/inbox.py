"""The supplier's inbox of footprint requests: fulfil or reject, and the events that tell the requester."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.db.models import Footprint, FootprintShare, Organisation
from node_service.errors import Conflict, NotFound, ValidationFailed
from node_service.services.footprints.visibility import add_share
from node_service.services.pact.actions.delivery import enqueue
from node_service.services.pact.actions.events import ERROR_CODES, FULFILLED, PUBLISHED, REJECTED, make_event
from node_service.services.pact.actions.publication import matching_owned, render, render_v2, visible_clause
from node_service.services.pact.mapping import PactMappingError
from node_service.services.pact.models import PactFootprint, PactRemoteHost, PactRequest
from node_service.services.pact.reads.filters import Criteria

__all__ = ["fulfil_request", "list_requests", "notify_published", "reject_request", "reject_unroutable"]


def list_requests(session: Session, supplier: Organisation, status: str | None) -> list[PactRequest]:
    query = select(PactRequest).where(PactRequest.supplier_id == supplier.id)
    if status:
        query = query.where(PactRequest.status == status)
    return list(session.execute(query.order_by(PactRequest.created_at.desc()).limit(500)).scalars())


def _pending(session: Session, supplier: Organisation, request_id: str) -> PactRequest:
    request = session.get(PactRequest, request_id)
    if request is None or request.supplier_id != supplier.id:
        raise NotFound(f"no request {request_id} in your inbox", fix="list your inbox at GET /pact/requests")
    if request.status != "pending":
        raise Conflict(
            f"request {request_id} is already {request.status}", fix="each request is answered once"
        )
    return request


def fulfil_request(
    session: Session, supplier: Organisation, request_id: str, footprint_ids: list[str] | None, base_url: str
) -> dict[str, Any]:
    """Answer a request with footprints (given, or the supplier's Active ones matching its criteria); they are
    shared with the requester, and a RequestFulfilled event is queued for the requester's host."""
    request = _pending(session, supplier, request_id)
    if footprint_ids is None:
        rows = matching_owned(session, supplier.id, Criteria.from_event_data(request.criteria))
    else:
        rows = []
        for pf_id in footprint_ids:
            row = session.get(PactFootprint, pf_id)
            if row is None or row.organisation_id != supplier.id:
                raise ValidationFailed(
                    f"footprintIds: {pf_id} is not a published footprint of yours", field="footprintIds"
                )
            rows.append(row)
    now = datetime.now(UTC)
    for row in rows:
        if session.get(FootprintShare, (row.id, request.requester_id)) is None:
            add_share(session, row.id, request.requester_id, now)
    pfs = [
        render(session, row, base_url) if request.spec_major >= 3 else _v2(session, row, base_url)
        for row in rows
    ]
    event = make_event(
        FULFILLED, request.spec_major, base_url, {"requestEventId": request.event_id, "pfs": pfs}
    )
    enqueue(
        session,
        sender_id=supplier.id,
        recipient_id=request.requester_id,
        target=request.source,
        event=event,
        spec_major=request.spec_major,
    )
    request.status = "fulfilled"
    request.decided_at = now
    request.response_event_id = event["id"]
    return event


def _v2(session: Session, row: PactFootprint, base_url: str) -> dict[str, Any]:
    footprint = session.get(Footprint, row.id)
    assert footprint is not None  # a published footprint keeps its footprints row
    try:
        return render_v2(row.document, footprint.result, base_url)
    except PactMappingError as exc:
        raise ValidationFailed(
            f"footprintIds: {row.id} cannot be sent to a PACT v2.3 host: {exc.detail}",
            field="footprintIds",
            fix="leave it out of footprintIds, or answer the request from a PACT v3 host",
        ) from exc


def reject_request(
    session: Session, supplier: Organisation, request_id: str, code: str, message: str, base_url: str
) -> dict[str, Any]:
    if code not in ERROR_CODES:
        raise ValidationFailed(
            f"code: {code!r} is not a PACT error code", field="code", fix=f"use one of {ERROR_CODES}"
        )
    request = _pending(session, supplier, request_id)
    return _reject(session, request, supplier.id, code, message, base_url)


def _reject(
    session: Session, request: PactRequest, sender_id: str, code: str, message: str, base_url: str
) -> dict[str, Any]:
    error = {"code": _error_code(code), "message": message}
    event = make_event(
        REJECTED, request.spec_major, base_url, {"requestEventId": request.event_id, "error": error}
    )
    enqueue(
        session,
        sender_id=sender_id,
        recipient_id=request.requester_id,
        target=request.source,
        event=event,
        spec_major=request.spec_major,
    )
    request.status = "rejected"
    request.decided_at = datetime.now(UTC)
    request.response_event_id = event["id"]
    return event


def _error_code(code: str) -> str:
    """The code as both released OpenAPI documents' ``Error`` enumerate it: the prose's ``NoSuchFootprint`` (a 404
    of GetFootprint) is ``NotFound`` in an event."""
    return "NotFound" if code == "NoSuchFootprint" else code


def reject_unroutable(session: Session, request: PactRequest, base_url: str) -> None:
    """A request naming no supplier of this host is answered at once with NotFound."""
    _reject(
        session,
        request,
        request.requester_id,
        "NotFound",
        "No data owner on this host matches the request's productId/companyId.",
        base_url,
    )


def notify_published(session: Session, footprint: PactFootprint, base_url: str) -> int:
    """Queue a Published event for every subscribed host of an organisation that can see the footprint."""
    hosts = session.execute(
        select(PactRemoteHost).where(PactRemoteHost.subscribe_published.is_(True))
    ).scalars()
    sent = 0
    for host in hosts:
        if host.organisation_id == footprint.organisation_id:
            continue
        visible = session.execute(
            select(PactFootprint.id).where(
                PactFootprint.id == footprint.id, visible_clause(host.organisation_id)
            )
        ).first()
        if visible is None:
            continue
        event = make_event(PUBLISHED, 3, base_url, {"pfIds": [footprint.id]})
        enqueue(
            session,
            sender_id=footprint.organisation_id,
            recipient_id=host.organisation_id,
            target=host.base_url,
            event=event,
            spec_major=3,
        )
        sent += 1
    return sent
