"""Routes of the identity package (thin: parse, call a service, shape the response).

- ``GET /organisations/{did}`` — public profile (names, USCC, roles, IDIS prefixes, contacts, key history);
- ``POST /organisations/me/keys`` — add a key (KeyAddition credential; optional rotation);
- ``POST /organisations/me/keys/{did}/retire`` and ``…/revoke`` — KeyRetirement / KeyRevocation credentials;
- ``PUT`` / ``DELETE /organisations/me/prefixes/{prefix}/delegates/{did}`` — let another organisation report the
  footprints of products under one of your IDIS prefixes, or stop it (API token of the prefix's owner);
- the Handle.Net REST API (``/api/handles/…``) over the node's database, where an organisation manages
  records only under its own registered IDIS prefixes (Bearer API token).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response, status

from identifier_resolver import AuthenticationRequiredError, Authorize, create_router
from node_service.api._deps import CurrentOrg, NodeDep
from node_service.api.responses import handle_errors
from node_service.errors import Unauthenticated
from node_service.runtime import Node
from node_service.services.organisations.handles import DatabaseHandleStore
from node_service.services.organisations.keys import add_key, as_utc, key_state, retire_key, revoke_key
from node_service.services.organisations.ownership import grant_delegation, revoke_delegation
from node_service.services.organisations.registration import profile_of, token_owns_prefix
from node_service.services.records import OrganisationKey

__all__ = ["router_for"]

JsonObject = Annotated[
    dict[str, Any], Body(description="a signed key-management credential (eddsa-jcs-2022)")
]


def _key(key: OrganisationKey) -> dict[str, Any]:
    return {
        "id": key.did,
        "publicKeyMultibase": key.public_key_multibase,
        "status": key_state(key, datetime.now(UTC)),
        "retiredFrom": as_utc(key.retired_at).isoformat() if key.retired_at else None,
        "revokedAt": as_utc(key.revoked_at).isoformat() if key.revoked_at else None,
    }


def _keys_router() -> APIRouter:
    router = APIRouter(tags=["organisations"])

    @router.post("/organisations/me/keys", status_code=status.HTTP_201_CREATED)
    def post_key(node: NodeDep, org: CurrentOrg, document: JsonObject) -> dict[str, Any]:
        """Add a key: a KeyAddition credential signed by an active key, embedding a KeyPossession credential
        signed by the new key; ``credentialSubject.retireKey`` retires an old key (rotation)."""
        key = add_key(node, org, document)
        node.anchorer.wake()
        return _key(key)

    @router.post("/organisations/me/keys/{did}/retire")
    def post_retire(node: NodeDep, org: CurrentOrg, did: str, document: JsonObject) -> dict[str, Any]:
        """Retire a key from a date (signatures created from then on are refused)."""
        key = retire_key(node, org, did, document)
        node.anchorer.wake()
        return _key(key)

    @router.post("/organisations/me/keys/{did}/revoke")
    def post_revoke(node: NodeDep, org: CurrentOrg, did: str, document: JsonObject) -> dict[str, Any]:
        """Revoke a key now, by a KeyRevocation credential signed by another active key."""
        key = revoke_key(node, org, did, document)
        node.anchorer.wake()
        return _key(key)

    @router.put(
        "/organisations/me/prefixes/{prefix}/delegates/{did}",
        status_code=status.HTTP_201_CREATED,
        responses={
            200: {"description": "the prefix was delegated to that organisation already (nothing changed)"}
        },
    )
    def put_delegate(
        node: NodeDep, org: CurrentOrg, prefix: str, did: str, response: Response
    ) -> dict[str, Any]:
        """Let organisation ``did`` report footprints of products under your IDIS ``prefix`` (201; 200 when it
        may already). Logged; the delegate's submissions for such products are refused without it."""
        delegation, created = grant_delegation(node, org, prefix, did)
        if not created:
            response.status_code = status.HTTP_200_OK
        node.anchorer.wake()
        return delegation

    @router.delete("/organisations/me/prefixes/{prefix}/delegates/{did}")
    def delete_delegate(node: NodeDep, org: CurrentOrg, prefix: str, did: str) -> dict[str, Any]:
        """End ``did``'s delegation of ``prefix`` now (footprints it stored meanwhile stay valid). Logged."""
        delegation = revoke_delegation(node, org, prefix, did)
        node.anchorer.wake()
        return delegation

    @router.get("/organisations/{did}")
    def get_profile(node: NodeDep, did: str) -> dict[str, Any]:
        """Public profile of an organisation, by its first did."""
        return profile_of(node, did)

    return router


def _authorize(node: Node) -> Authorize:
    def authorize(request: Request, prefix: str) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationRequiredError("send Authorization: Bearer <API token of the prefix's owner>")
        try:
            return token_owns_prefix(node, token.strip(), prefix)
        except Unauthenticated as exc:
            raise AuthenticationRequiredError(exc.detail) from exc

    return authorize


def router_for(node: Node) -> APIRouter:
    """Every route of the identity package, bound to ``node`` (include it in the app)."""
    router = APIRouter()
    router.include_router(_keys_router())
    store = DatabaseHandleStore(lambda: node.db)
    handles = create_router(store, node.resolver, authorize=_authorize(node))
    # the Handle.Net REST API answers its errors in its own shape (identifier_resolver.routes' table)
    router.include_router(handles, responses=handle_errors(400, 401, 403, 404, 409))
    return router
