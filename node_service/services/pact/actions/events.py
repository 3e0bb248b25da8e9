"""Action Events: CloudEvents 1.0 in structured JSON mode (CloudEvents JSON format), as PACT defines them.

Incoming RequestCreated events become requests in the suppliers' inboxes; Fulfilled, Rejected and Published
events are stored for the organisation they were sent to. Our own outgoing events are built here too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from node_service.db.models import Organisation
from node_service.services.pact.errors import BadRequest
from node_service.services.pact.mapping import company_urns
from node_service.services.pact.models import (
    PactFootprint,
    PactFootprintKey,
    PactReceivedEvent,
    PactRemoteHost,
    PactRequest,
)
from node_service.services.pact.reads.filters import Criteria, parse_datetime

__all__ = [
    "EVENT_TYPES",
    "FULFILLED",
    "PUBLISHED",
    "REJECTED",
    "REQUEST_CREATED",
    "CloudEvent",
    "accept_event",
    "make_event",
    "normalise_source",
    "parse_cloudevent",
]

#: the four PACT events, by the names this node uses for them
REQUEST_CREATED = "RequestCreated"
FULFILLED = "RequestFulfilled"
REJECTED = "RequestRejected"
PUBLISHED = "Published"
#: each event's CloudEvents ``type`` in PACT v3.0 (``/3/events``) and v2.3 (``/2/events``), as the released
#: OpenAPI documents fix them (``const``)
EVENT_TYPES = {
    REQUEST_CREATED: {
        3: "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        2: "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
    },
    FULFILLED: {
        3: "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        2: "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
    },
    REJECTED: {
        3: "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
        2: "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1",
    },
    PUBLISHED: {
        3: "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
        2: "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
    },
}
#: an incoming type of either version names its event (a v2.3 type at /3/events is read, not refused)
_KINDS = {wire: kind for kind, by_major in EVENT_TYPES.items() for wire in by_major.values()}
MAX_ID_LENGTH = 200
MAX_SOURCE_LENGTH = 500
ERROR_CODES = (
    "BadRequest",
    "AccessDenied",
    "TokenExpired",
    "NotFound",
    "NoSuchFootprint",
    "InternalError",
    "NotImplemented",
)


@dataclass(frozen=True)
class CloudEvent:
    type: str  # the event (REQUEST_CREATED …); ``raw["type"]`` is the CloudEvents type as sent
    id: str
    source: str
    time: datetime
    data: dict[str, Any]
    raw: dict[str, Any]


def _string(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(
            f"event.{name}: required, a non-empty string", fix="send a CloudEvents 1.0 JSON event"
        )
    if len(value) > limit:
        raise BadRequest(f"event.{name}: got {len(value)} characters, want at most {limit}")
    return value


def parse_cloudevent(body: Any) -> CloudEvent:
    """Check a structured-mode CloudEvent. Steps:

    (1) the body is a JSON object;
    (2) specversion is "1.0" (CloudEvents core);
    (3) id, source and type are non-empty strings; type is one of the four PACT events (v3.0 or v2.3 name);
    (4) time is an RFC 3339 date-time (required by the PACT BaseEvent);
    (5) data is an object, and holds what the event type requires.
    """
    # (1)
    if not isinstance(body, dict):
        raise BadRequest("event: the body is not a JSON object", fix="send a CloudEvents 1.0 JSON event")
    # (2)
    if body.get("specversion") != "1.0":
        raise BadRequest(f"event.specversion: got {str(body.get('specversion'))[:20]!r}, want '1.0'")
    # (3)
    event_id = _string(body, "id", MAX_ID_LENGTH)
    source = _string(body, "source", MAX_SOURCE_LENGTH)
    wire_type = body.get("type")
    event_type = _KINDS.get(wire_type) if isinstance(wire_type, str) else None
    if event_type is None:
        raise BadRequest(
            f"event.type: {str(body.get('type'))[:100]!r} is not a PACT event type",
            fix=f"use one of {', '.join(by_major[3] for by_major in EVENT_TYPES.values())}",
        )
    # (4)
    time_text = body.get("time")
    if not isinstance(time_text, str):
        raise BadRequest("event.time: required, an RFC 3339 date-time")
    moment = parse_datetime("event.time", time_text)
    # (5)
    data = body.get("data")
    if not isinstance(data, dict):
        raise BadRequest("event.data: required, a JSON object")
    _check_data(str(event_type), data)
    return CloudEvent(event_type, event_id, source, moment, data, body)


def _check_data(event_type: str, data: dict[str, Any]) -> None:
    if event_type == REQUEST_CREATED:
        Criteria.from_event_data(_request_criteria(data))
        if "comment" in data and not isinstance(data["comment"], str):
            raise BadRequest("data.comment: must be a string")
    elif event_type == FULFILLED:
        if not isinstance(data.get("requestEventId"), str):
            raise BadRequest("data.requestEventId: required, a string")
        pfs = data.get("pfs")
        if not isinstance(pfs, list) or not all(isinstance(p, dict) for p in pfs):
            raise BadRequest("data.pfs: required, an array of ProductFootprint objects")
    elif event_type == REJECTED:
        if not isinstance(data.get("requestEventId"), str):
            raise BadRequest("data.requestEventId: required, a string")
        error = data.get("error")
        if (
            not isinstance(error, dict)
            or error.get("code") not in ERROR_CODES
            or not isinstance(error.get("message"), str)
        ):
            raise BadRequest("data.error: required, an error response {code, message} with a PACT error code")
    elif event_type == PUBLISHED:
        pf_ids = data.get("pfIds")
        if not isinstance(pf_ids, list) or not pf_ids or not all(isinstance(i, str) for i in pf_ids):
            raise BadRequest("data.pfIds: required, a non-empty array of ProductFootprint ids")
        for index, pf_id in enumerate(pf_ids):
            if not is_uuid(pf_id):
                raise BadRequest(
                    f"data.pfIds[{index}]: {pf_id[:60]!r} is not a ProductFootprint id",
                    fix="ProductFootprint ids are UUIDs, e.g. 3a6c14a7-4deb-498a-b5ea-16ce2535b576",
                )


def _request_criteria(data: dict[str, Any]) -> dict[str, Any]:
    """v3 criteria; a v2 ``data.pf`` fragment (productIds, companyIds) is read as productId/companyId."""
    criteria = {k: v for k, v in data.items() if k != "pf" and k != "comment"}
    fragment = data.get("pf")
    if fragment is not None:
        if not isinstance(fragment, dict):
            raise BadRequest("data.pf: must be an object")
        for v2_name, v3_name in (("productIds", "productId"), ("companyIds", "companyId")):
            if v2_name in fragment:
                criteria.setdefault(v3_name, fragment[v2_name])
    return criteria


def normalise_source(source: str) -> str:
    """A CloudEvents source as a base URL: "//host/path" (the spec's examples) reads as https://host/path."""
    text = source.strip()
    if text.startswith("//"):
        text = "https:" + text
    return text.rstrip("/")


def is_uuid(text: str) -> bool:
    """A UUID in its canonical text form (JSON Schema ``format: uuid``, RFC 9562: 8-4-4-4-12 hex digits)."""
    if len(text) != 36:
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return all(text[i] == "-" for i in (8, 13, 18, 23))


def make_event(event: str, spec_major: int, source: str, data: dict[str, Any]) -> dict[str, Any]:
    """Our CloudEvent for ``event`` (FULFILLED …) with the type of PACT ``spec_major``."""
    return {
        "type": EVENT_TYPES[event][spec_major],
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datacontenttype": "application/json",
        "data": data,
    }


def _suppliers(session: Session, criteria: Criteria) -> list[str]:
    """Organisations a request is for: by companyId URN, else by the owners of the productIds asked for."""
    if "companyId" in criteria.values:
        wanted = set(criteria.values["companyId"])
        orgs = session.execute(select(Organisation)).scalars()
        return [o.id for o in orgs if wanted & set(company_urns(o.did, o.uscc))]
    if "productId" in criteria.values:
        owners = session.execute(
            select(PactFootprint.organisation_id)
            .join(PactFootprintKey, PactFootprintKey.footprint_id == PactFootprint.id)
            .where(
                PactFootprintKey.kind == "productId", PactFootprintKey.value.in_(criteria.values["productId"])
            )
            .distinct()
        ).scalars()
        return list(owners)
    raise BadRequest(
        "request: this host routes requests by productId or companyId, and the event names neither",
        fix="add data.productId or data.companyId",
    )


def accept_event(
    session: Session, sender_id: str, event: CloudEvent, *, spec_major: int
) -> list[PactRequest]:
    """Store an accepted event. RequestCreated needs the sender's host (source) registered with us, because
    the response is sent there; the requests it creates are returned (empty for other event types)."""
    now = datetime.now(UTC)
    if event.type != REQUEST_CREATED:
        try:
            with session.begin_nested():
                session.add(
                    PactReceivedEvent(
                        sender_id=sender_id,
                        type=str(event.raw["type"]),
                        source=event.source,
                        event_id=event.id,
                        event=event.raw,
                        received_at=now,
                    )
                )
        except IntegrityError:
            pass  # the same event again: accepted once
        return []
    source = normalise_source(event.source)
    host = session.execute(
        select(PactRemoteHost).where(
            PactRemoteHost.organisation_id == sender_id, PactRemoteHost.base_url == source
        )
    ).scalar_one_or_none()
    if host is None:
        raise BadRequest(
            f"event.source: {source[:100]!r} is not a PACT host registered by your organisation",
            fix="register it with POST /pact/remote-hosts so that the response can be delivered",
        )
    criteria = Criteria.from_event_data(_request_criteria(event.data))
    created = []
    suppliers: list[str | None] = list(_suppliers(session, criteria)) or [None]
    for supplier_id in suppliers:
        existing = session.execute(
            select(PactRequest).where(
                PactRequest.source == source,
                PactRequest.event_id == event.id,
                PactRequest.supplier_id == (supplier_id or sender_id),
            )
        ).scalar_one_or_none()
        if existing is not None:
            continue
        request = PactRequest(
            id=str(uuid.uuid4()),
            event_id=event.id,
            source=source,
            requester_id=sender_id,
            supplier_id=supplier_id or sender_id,
            criteria=criteria.to_json(),
            spec_major=spec_major,
            comment=event.data.get("comment") if isinstance(event.data.get("comment"), str) else None,
            status="pending" if supplier_id else "unroutable",
            created_at=now,
        )
        session.add(request)
        created.append(request)
    return created
