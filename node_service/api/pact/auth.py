"""PACT Action Authenticate (OAuth2 client credentials, RFC 6749 §4.4) and the OpenID configuration."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from node_service.api._deps import NodeDep
from node_service.api.pact._route import (
    MAX_FORM_BYTES,
    PactDep,
    PactRoute,
    base_url,
)
from node_service.api.responses import oauth_errors, pact_errors
from node_service.services.pact import service as pact
from node_service.services.pact.errors import OAuthError

router = APIRouter(route_class=PactRoute, tags=["pact"], responses=pact_errors(400))


# ---------------------------------------------------------------- Action Authenticate (RFC 6749 §4.4)
def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError(
            "invalid_client", "Authentication failed: use HTTP Basic client authentication", status=401
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError(
            "invalid_client", "Authentication failed: malformed Basic credentials", status=401
        ) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "Authentication failed: malformed Basic credentials", status=401)
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@router.post(
    "/auth/token",
    summary="Action Authenticate (OAuth2 client credentials)",
    responses=oauth_errors(400, 401),  # RFC 6749 §5.2
)
async def auth_token(request: Request, state: PactDep, node: NodeDep) -> JSONResponse:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", f"the body has {len(body)} bytes, want at most {MAX_FORM_BYTES}")
    from urllib.parse import parse_qs

    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "the body is not form-urlencoded UTF-8") from exc
    if any(len(v) > 1 for v in form.values()):
        raise OAuthError("invalid_request", "a parameter is repeated (RFC 6749 §3.2)")
    grant = form.get("grant_type", [""])[0]
    if not grant:
        raise OAuthError("invalid_request", "grant_type is missing")
    basic = _basic_credentials(request.headers.get("authorization"))
    posted = (form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
    if basic is not None and any(posted):
        raise OAuthError(
            "invalid_request", "use one client authentication method, not Basic and the body both"
        )
    credentials = basic or posted
    if not credentials[0]:
        raise OAuthError("invalid_client", "Authentication failed: no client credentials", status=401)
    if grant != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", f"grant_type {grant[:40]!r} is not supported; use client_credentials"
        )
    token, ttl = pact.issue_token(
        node, state.keys, credentials[0], credentials[1], state.settings.token_ttl_seconds
    )
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": ttl,
            "scope": "footprint:list footprint:read",
        },
        headers={"cache-control": "no-store", "pragma": "no-cache"},
    )


@router.get("/.well-known/openid-configuration", summary="OpenID Provider Configuration Document")
def openid_configuration(request: Request) -> dict[str, Any]:
    base = base_url(request)
    return {
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "scopes_supported": ["footprint:list", "footprint:read"],
    }
