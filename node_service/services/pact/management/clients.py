"""OAuth2 API clients of organisations (RFC 6749 §2.3.1 client id + secret) and the bearer tokens they get."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.orm import Session

from node_service.db.models import Organisation
from node_service.errors import Conflict, NotFound
from node_service.services.pact._prepared import Prepared
from node_service.services.pact.errors import BadRequest, OAuthError, TokenExpired
from node_service.services.pact.management.tokens import (
    AccessToken,
    NodeKeys,
    hash_secret,
    issue_access_token,
    secret_version,
    verify_access_token,
    verify_secret,
)
from node_service.services.pact.models import PactClient

__all__ = [
    "IssuedClient",
    "authenticate_bearer",
    "bearer_token",
    "check_client",
    "create_client",
    "issue_token",
    "list_clients",
    "revoke_client",
    "rotate_client",
]

#: RFC 6749 §A.1/§A.2: client_id and client_secret are VSCHAR; ours are URL-safe base64 text.
MAX_CREDENTIAL_LENGTH = 200


@dataclass(frozen=True)
class IssuedClient:
    client_id: str
    client_secret: str  # shown once
    created_at: datetime


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def create_client(session: Session, owner: Organisation, name: str | None) -> IssuedClient:
    now = datetime.now(UTC)
    client_id = "pact-" + secrets.token_hex(12)
    secret = _new_secret()
    session.add(
        PactClient(
            client_id=client_id,
            organisation_id=owner.id,
            name=name,
            secret_hash=hash_secret(secret),
            created_at=now,
        )
    )
    return IssuedClient(client_id, secret, now)


def _owned(session: Session, owner: Organisation, client_id: str) -> PactClient:
    client = session.get(PactClient, client_id)
    if client is None or client.organisation_id != owner.id:
        raise NotFound(f"no API client {client_id} of yours", fix="list your clients at GET /pact/clients")
    return client


def rotate_client(session: Session, owner: Organisation, client_id: str) -> IssuedClient:
    """A new secret for the client; the old secret and every token issued before stop working."""
    client = _owned(session, owner, client_id)
    if client.revoked_at is not None:
        raise Conflict(f"API client {client_id} is revoked", fix="create a new client")
    secret = _new_secret()
    client.secret_hash = hash_secret(secret)
    client.rotated_at = datetime.now(UTC)
    return IssuedClient(client_id, secret, client.created_at)


def revoke_client(session: Session, owner: Organisation, client_id: str) -> None:
    client = _owned(session, owner, client_id)
    client.revoked_at = client.revoked_at or datetime.now(UTC)


def list_clients(session: Session, owner: Organisation) -> list[PactClient]:
    return list(
        session.execute(
            select(PactClient).where(PactClient.organisation_id == owner.id).order_by(PactClient.created_at)
        ).scalars()
    )


def issue_token(
    session: Session, keys: NodeKeys, client_id: str, client_secret: str, ttl_seconds: int
) -> tuple[str, int]:
    """RFC 6749 §4.4: authenticate the client, then issue an access token (invalid_client otherwise)."""
    if not client_id or not client_secret or max(len(client_id), len(client_secret)) > MAX_CREDENTIAL_LENGTH:
        raise OAuthError("invalid_client", "Authentication failed: malformed client credentials", status=401)
    client = session.get(PactClient, client_id)
    # verify a hash even for unknown ids so that timing does not tell which ids exist
    stored = client.secret_hash if client is not None else _DUMMY_HASH
    valid = verify_secret(stored, client_secret)
    if client is None or not valid or client.revoked_at is not None:
        raise OAuthError("invalid_client", "Authentication failed", status=401)
    # bound to the hash just verified: a rotation committed meanwhile invalidates this token too
    return issue_access_token(keys, client.client_id, client.organisation_id, ttl_seconds, secret_hash=stored)


_DUMMY_HASH = hash_secret(secrets.token_urlsafe(16))


def authenticate_bearer(
    session: Session | Connection, keys: NodeKeys, authorization: str | None
) -> AccessToken:
    """The access token of an ``Authorization: Bearer`` header (RFC 6750 §2.1), checked against its client
    (one primary-key read, so that revocation and rotation take effect at once)."""
    access = bearer_token(keys, authorization)
    check_client(access, _CLIENT_STATE.first(session, {"client_id": access.client_id}))
    return access


def bearer_token(keys: NodeKeys, authorization: str | None) -> AccessToken:
    """The verified access token of an ``Authorization: Bearer`` header, before its client is checked."""
    fix = "send Authorization: Bearer <access_token from /auth/token>"
    if not authorization:
        raise BadRequest("no access token", fix=fix)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BadRequest("the Authorization header is not a Bearer token", fix=fix)
    return verify_access_token(keys, token.strip())


def check_client(access: AccessToken, client: Any) -> None:
    """The token's client (a row with organisation_id, revoked_at, secret_hash, or None) still vouches for it:
    not revoked, and the token was issued against the client's current secret (exact, whatever the clocks
    say; a token from before tokens carried the secret version is answered as expired, to be renewed)."""
    if client is None or client.revoked_at is not None or client.organisation_id != access.organisation_id:
        raise BadRequest(
            "invalid access token: its client is revoked or unknown", fix="use an active API client"
        )
    if access.secret_version is None:
        raise TokenExpired(
            "the access token has expired: it predates secret-bound tokens", fix="request a new token"
        )
    if access.secret_version != secret_version(client.secret_hash):
        raise BadRequest(
            "invalid access token: the client secret was rotated since", fix="request a new token"
        )


_CLIENTS = cast(Table, PactClient.__table__)
#: built once: a statement per request costs more to construct than to run
_CLIENT_STATE = Prepared(
    select(_CLIENTS.c.organisation_id, _CLIENTS.c.revoked_at, _CLIENTS.c.secret_hash).where(
        _CLIENTS.c.client_id == bindparam("client_id")
    )
)
