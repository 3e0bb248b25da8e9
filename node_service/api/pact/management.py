"""The owner's PACT management API under /pact (Bearer API token): API clients, publishing, remote hosts,
the request inbox, the outbox and recompute notices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from node_service.api._deps import CurrentOrg, NodeDep
from node_service.api.pact._route import (
    base_url,
)
from node_service.api.pact.state import pact_state
from node_service.services.footprints.recompute_draft import notice_json
from node_service.services.pact import service as pact
from node_service.services.pact.actions import recompute

# ---------------------------------------------------------------- management API (Bearer API token)
router = APIRouter(prefix="/pact", tags=["pact-management"])


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown member is a mistake: 422 naming it

    name: str | None = Field(default=None, max_length=200)


class ClientIssued(BaseModel):
    clientId: str
    clientSecret: str = Field(description="shown once; keep it secret")
    tokenEndpoint: str


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown member is a mistake: 422 naming it

    public: bool | None = Field(default=None, description="visible to every authenticated PACT client")
    shareWith: list[str] = Field(default_factory=list, max_length=1000, description="dids of buyers")
    productClassifications: list[str] = Field(default_factory=list, max_length=100)
    productMassPerDeclaredUnit: float | None = Field(
        default=None,
        gt=0,
        le=1e9,
        description="kg of product per declared unit (PACT productMassPerDeclaredUnit); needed for count, "
        "volume and area units unless the footprint's end-of-life scenario gives the product mass",
    )


class RemoteHostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown member is a mistake: 422 naming it

    baseUrl: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$", max_length=500)
    clientId: str = Field(min_length=1, max_length=200)
    clientSecret: str = Field(min_length=1, max_length=500)
    subscribePublished: bool = True


class FulfilRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown member is a mistake: 422 naming it

    footprintIds: list[str] | None = Field(default=None, max_length=1000)


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown member is a mistake: 422 naming it

    code: str = "NotFound"
    message: str = Field(default="The requested footprint is not available.", max_length=2000)


@router.post("/clients", status_code=status.HTTP_201_CREATED)
def create_client(body: ClientCreate, org: CurrentOrg, node: NodeDep, request: Request) -> ClientIssued:
    """A new OAuth2 client of your organisation for PACT (the secret is shown only here)."""
    issued = pact.create_client(node, org, body.name)
    return ClientIssued(
        clientId=issued.client_id,
        clientSecret=issued.client_secret,
        tokenEndpoint=f"{base_url(request)}/auth/token",
    )


@router.get("/clients")
def get_clients(org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    return {
        "data": [
            {
                "clientId": c.client_id,
                "name": c.name,
                "createdAt": c.created_at.isoformat(),
                "rotatedAt": c.rotated_at.isoformat() if c.rotated_at else None,
                "revoked": c.revoked_at is not None,
            }
            for c in pact.clients_of(node, org)
        ]
    }


@router.post("/clients/{client_id}/rotate")
def rotate_client(client_id: str, org: CurrentOrg, node: NodeDep, request: Request) -> ClientIssued:
    """A new secret; the old secret and tokens issued before stop working."""
    issued = pact.rotate_client(node, org, client_id)
    return ClientIssued(
        clientId=issued.client_id,
        clientSecret=issued.client_secret,
        tokenEndpoint=f"{base_url(request)}/auth/token",
    )


@router.delete("/clients/{client_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_client(client_id: str, org: CurrentOrg, node: NodeDep) -> Response:
    pact.revoke_client(node, org, client_id)
    return Response(status_code=204)


@router.post(
    "/footprints/{footprint_id}/publish",
    responses={201: {"description": "published now (200: an earlier publication's visibility changed)"}},
)
def publish(
    footprint_id: str,
    body: PublishRequest,
    org: CurrentOrg,
    node: NodeDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Publish one of your footprints over PACT (or change its visibility); deprecates older versions."""
    published = pact.publish(
        node,
        org,
        footprint_id,
        public=body.public,
        share_with=body.shareWith,
        classifications=body.productClassifications,
        product_mass_kg=body.productMassPerDeclaredUnit,
        base_url=base_url(request),
    )
    response.status_code = 201 if published.created else 200
    _wake(request)
    return {
        "id": published.footprint.id,
        "status": published.footprint.status,
        "public": published.footprint.public,
        "deprecated": published.deprecated,
        "publishedEvents": published.notified,
        "productFootprint": published.rendered,
    }


def _wake(request: Request) -> None:
    state = pact_state(request)
    if state.worker is not None:
        state.worker.wake()


@router.post("/remote-hosts", status_code=status.HTTP_201_CREATED)
def add_remote_host(
    body: RemoteHostCreate, org: CurrentOrg, node: NodeDep, request: Request
) -> dict[str, Any]:
    """Register your own PACT host and the client credentials this node may use to deliver events to it."""
    state = pact_state(request)
    base = body.baseUrl.rstrip("/")
    state.settings.remotes.check(base, "baseUrl")
    pact.register_remote_host(
        node,
        state.keys,
        org,
        base,
        client_id=body.clientId,
        client_secret=body.clientSecret,
        subscribe_published=body.subscribePublished,
    )
    return {"baseUrl": base, "clientId": body.clientId, "subscribePublished": body.subscribePublished}


@router.get("/requests")
def get_requests(org: CurrentOrg, node: NodeDep, status: str | None = None) -> dict[str, Any]:
    """Your inbox of footprint requests (RequestCreated events from buyers)."""
    return {
        "data": [
            {
                "id": r.id,
                "eventId": r.event_id,
                "source": r.source,
                "criteria": r.criteria,
                "comment": r.comment,
                "status": r.status,
                "createdAt": r.created_at.isoformat(),
                "responseEventId": r.response_event_id,
            }
            for r in pact.requests_of(node, org, status)
        ]
    }


@router.post("/requests/{request_id}/fulfil")
def fulfil(
    request_id: str, body: FulfilRequest, org: CurrentOrg, node: NodeDep, request: Request
) -> dict[str, Any]:
    event = pact.fulfil_request(node, org, request_id, body.footprintIds, base_url(request))
    _wake(request)
    return {
        "requestId": request_id,
        "status": "fulfilled",
        "eventId": event["id"],
        "footprints": len(event["data"]["pfs"]),
    }


@router.post("/requests/{request_id}/reject")
def reject(
    request_id: str, body: RejectRequest, org: CurrentOrg, node: NodeDep, request: Request
) -> dict[str, Any]:
    event = pact.reject_request(node, org, request_id, body.code, body.message, base_url(request))
    _wake(request)
    return {"requestId": request_id, "status": "rejected", "eventId": event["id"]}


@router.get("/outbox")
def outbox(org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    """Events this node sends for you (or to you) and how their delivery stands."""
    return {
        "data": [
            {
                "eventId": r.event_id,
                "type": r.event.get("type"),
                "target": r.target,
                "status": r.status,
                "attempts": r.attempts,
                "lastError": r.last_error,
            }
            for r in pact.outbox_of(node, org)
        ]
    }


def _notice(notice: Any, *, with_draft: bool) -> dict[str, Any]:
    own = {
        "upstreamProductId": notice.upstream_product_id,
        "citedVersion": notice.cited_version,
        "newFootprintId": notice.new_upstream_id,
        "newVersion": notice.new_version,
    }
    return notice_json(notice, own, with_draft=with_draft)


@router.get("/recompute-notices")
def get_recompute_notices(org: CurrentOrg, node: NodeDep, status: str | None = None) -> dict[str, Any]:
    """Your inbox of recompute notices: a product your footprint cites has a newer version published to you."""
    return {"data": [_notice(n, with_draft=False) for n in pact.notices_of(node, org, status)]}


@router.get("/recompute-notices/{notice_id}")
def get_recompute_notice(notice_id: str, org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    return _notice(pact.notice_of(node, org, notice_id), with_draft=True)


@router.post("/recompute-notices/{notice_id}/recompute", status_code=status.HTTP_201_CREATED)
def recompute_draft(notice_id: str, org: CurrentOrg, node: NodeDep) -> dict[str, Any]:
    """Your footprint recomputed with the new upstream version, as a draft (not published, not logged)."""
    return _notice(recompute.recompute(node, org, notice_id), with_draft=True)
