"""The PACT façade: what the PACT routes (node_service.api.pact) call, each one transaction over the node's
database (``NodeResources``), so that routes only parse, call and shape. The read actions, which run on a
connection of their own pool, are :class:`~node_service.services.pact.reads.reader.PactReads`.

- Action Authenticate and bearer tokens: :func:`issue_token`, :func:`bearer_organisation`;
- Action Events: :func:`receive_event`; a footprint's receipt for a PACT client: :func:`footprint_receipt`;
- the owner's management API: API clients, publishing, remote hosts, the request inbox, the outbox and
  recompute notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select

from node_service.db.models import Organisation
from node_service.errors import NodeError
from node_service.services.context import NodeResources
from node_service.services.pact.actions import inbox, publication, recompute
from node_service.services.pact.actions.delivery import remote_host
from node_service.services.pact.actions.events import CloudEvent, accept_event
from node_service.services.pact.errors import BadRequest
from node_service.services.pact.management import clients as client_service
from node_service.services.pact.management.clients import IssuedClient
from node_service.services.pact.management.tokens import NodeKeys
from node_service.services.pact.models import (
    PactClient,
    PactFootprint,
    PactOutbox,
    PactRecomputeNotice,
    PactRemoteHost,
    PactRequest,
)
from node_service.services.receipts import build_receipt

__all__ = [
    "MAX_OUTBOX",
    "PublishedFootprint",
    "bearer_organisation",
    "clients_of",
    "create_client",
    "footprint_receipt",
    "fulfil_request",
    "issue_token",
    "notice_of",
    "notices_of",
    "outbox_of",
    "publish",
    "receive_event",
    "register_remote_host",
    "reject_request",
    "requests_of",
    "revoke_client",
    "rotate_client",
]

#: the outbox lists this many events, newest first
MAX_OUTBOX = 500


# ---------------------------------------------------------------- tokens and the buyer-facing actions
def issue_token(
    node: NodeResources, keys: NodeKeys, client_id: str, client_secret: str, ttl_seconds: int
) -> tuple[str, int]:
    """RFC 6749 §4.4: authenticate the client, then issue an access token and its lifetime (invalid_client
    otherwise)."""
    with node.db.transaction() as session:
        return client_service.issue_token(session, keys, client_id, client_secret, ttl_seconds)


def bearer_organisation(node: NodeResources, keys: NodeKeys, authorization: str | None) -> str:
    """The organisation of an ``Authorization: Bearer`` header's access token, checked against its client."""
    with node.db.transaction() as session:
        return client_service.authenticate_bearer(session, keys, authorization).organisation_id


def receive_event(node: NodeResources, sender: str, event: CloudEvent, major: int, base_url: str) -> int:
    """Store an accepted event from ``sender``; requests this node cannot route are rejected at once (a
    RequestRejected event queued for the sender). Returns how many such events were queued."""
    with node.db.transaction() as session:
        requests = accept_event(session, sender, event, spec_major=major)
        session.flush()
        unroutable = [r for r in requests if r.status == "unroutable"]
        for request in unroutable:
            inbox.reject_unroutable(session, request, base_url)
        return len(unroutable)


def footprint_receipt(
    node: NodeResources, keys: NodeKeys, authorization: str | None, footprint_id: str
) -> dict[str, Any]:
    """The footprint's receipt (DESIGN.md format) for the bearer of a PACT access token that may see the
    footprint; BadRequest while it is not anchored yet."""
    with node.db.transaction() as session:
        viewer = client_service.authenticate_bearer(session, keys, authorization).organisation_id
        row = publication.get_footprint(session, viewer, footprint_id)
        owner = session.get(Organisation, row.organisation_id)
        assert owner is not None
        session.expunge(owner)
    try:
        return build_receipt(node, footprint_id, owner)
    except NodeError as exc:
        if exc.status == 409:
            raise BadRequest(exc.message) from exc
        raise


# ---------------------------------------------------------------- the owner's management API
def create_client(node: NodeResources, owner: Organisation, name: str | None) -> IssuedClient:
    """A new OAuth2 client of ``owner`` (its secret is in the result only)."""
    with node.db.transaction() as session:
        return client_service.create_client(session, owner, name)


def clients_of(node: NodeResources, owner: Organisation) -> list[PactClient]:
    with node.db.transaction() as session:
        return client_service.list_clients(session, owner)


def rotate_client(node: NodeResources, owner: Organisation, client_id: str) -> IssuedClient:
    """A new secret; the old secret and tokens issued before stop working."""
    with node.db.transaction() as session:
        return client_service.rotate_client(session, owner, client_id)


def revoke_client(node: NodeResources, owner: Organisation, client_id: str) -> None:
    with node.db.transaction() as session:
        client_service.revoke_client(session, owner, client_id)


@dataclass(frozen=True)
class PublishedFootprint:
    """A footprint published (or its visibility changed) over PACT."""

    footprint: PactFootprint
    created: bool  # a new ProductFootprint (False: only who may see it changed)
    deprecated: list[str]  # ids of the older versions it deprecated
    notified: int  # PublishedEvents queued for subscribed hosts
    rendered: dict[str, Any]  # the ProductFootprint as PACT v3 serves it


def publish(
    node: NodeResources,
    owner: Organisation,
    footprint_id: str,
    *,
    public: bool | None,
    share_with: list[str],
    classifications: list[str],
    product_mass_kg: float | None,
    base_url: str,
) -> PublishedFootprint:
    """Publish one of ``owner``'s footprints over PACT (or change who sees it), deprecating older versions, in
    one transaction under the log's lock: PublishedEvents for subscribed hosts and recompute notices for
    footprints that cite an older version are queued with it."""
    with node.tlog.lock, node.db.transaction() as session:
        published = publication.publish_footprint(
            session,
            owner,
            footprint_id,
            public=public,
            share_with=share_with,
            classifications=classifications,
            chain_id=node.deployment.chain_id,
            contract=node.deployment.contract_address,
            product_mass_kg=product_mass_kg,
        )
        session.flush()
        notified = inbox.notify_published(session, published.footprint, base_url)
        recompute.notify_new_version(session, published.footprint)
        return PublishedFootprint(
            footprint=published.footprint,
            created=published.created,
            deprecated=published.deprecated,
            notified=notified,
            rendered=publication.render(session, published.footprint, base_url),
        )


def register_remote_host(
    node: NodeResources,
    keys: NodeKeys,
    owner: Organisation,
    base_url: str,
    *,
    client_id: str,
    client_secret: str,
    subscribe_published: bool,
) -> None:
    """Register (or update) ``owner``'s own PACT host and the client credentials this node uses to deliver
    events to it; the secret is stored sealed with the node's key."""
    with node.db.transaction() as session:
        host = remote_host(session, owner.id, base_url)
        if host is None:
            host = PactRemoteHost(organisation_id=owner.id, base_url=base_url, created_at=datetime.now(UTC))
            session.add(host)
        host.client_id = client_id
        host.client_secret_sealed = keys.seal(client_secret)
        host.subscribe_published = subscribe_published


def requests_of(node: NodeResources, supplier: Organisation, status: str | None) -> list[PactRequest]:
    """``supplier``'s inbox of footprint requests (RequestCreated events from buyers), newest first."""
    with node.db.transaction() as session:
        return inbox.list_requests(session, supplier, status)


def fulfil_request(
    node: NodeResources,
    supplier: Organisation,
    request_id: str,
    footprint_ids: list[str] | None,
    base_url: str,
) -> dict[str, Any]:
    """Answer a request with footprints; returns the RequestFulfilled event queued for the requester."""
    with node.db.transaction() as session:
        return inbox.fulfil_request(session, supplier, request_id, footprint_ids, base_url)


def reject_request(
    node: NodeResources, supplier: Organisation, request_id: str, code: str, message: str, base_url: str
) -> dict[str, Any]:
    """Refuse a request; returns the RequestRejected event queued for the requester."""
    with node.db.transaction() as session:
        return inbox.reject_request(session, supplier, request_id, code, message, base_url)


def outbox_of(node: NodeResources, org: Organisation) -> list[PactOutbox]:
    """The events this node sends for ``org`` or to it, newest first (at most :data:`MAX_OUTBOX`)."""
    with node.db.transaction() as session:
        return list(
            session.execute(
                select(PactOutbox)
                .where(or_(PactOutbox.sender_id == org.id, PactOutbox.recipient_id == org.id))
                .order_by(PactOutbox.id.desc())
                .limit(MAX_OUTBOX)
            ).scalars()
        )


def notices_of(node: NodeResources, org: Organisation, status: str | None) -> list[PactRecomputeNotice]:
    """``org``'s recompute notices: a product its footprint cites has a newer version published to it."""
    with node.db.transaction() as session:
        return recompute.list_notices(session, org, status)


def notice_of(node: NodeResources, org: Organisation, notice_id: str) -> PactRecomputeNotice:
    with node.db.transaction() as session:
        return recompute.get_notice(session, org, notice_id)
