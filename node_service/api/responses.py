"""The responses every operation of the node's OpenAPI document can answer, derived from its route.

FastAPI documents a route's success and, for routes with parameters, a 422 in its own validation-error shape;
the node answers its errors as RFC 9457 problem+json (``api/problems.py``), PACT's routes as PACT error
responses (``api/pact/_route.py``) and the Handle.Net routes as Handle responses. :func:`complete_openapi` is
the one place that fills the document in, from what each route is:

1. a route that needs the caller's API token (the ``CurrentOrg`` dependency) can answer 401 and 403;
2. a route with a path parameter can answer 404;
3. a write (POST, PUT, PATCH, DELETE) can answer 409 and 422;
4. a route that takes parameters or a body can answer 422 (FastAPI's default entry, made problem+json);
5. a route that takes a body can answer 413 (too large) and 422 (not JSON, or nested too deep), the refusals of
   the body limits (``api/limits.py``) in front of every route;
6. every status a route declares itself (``responses=`` at the route, its router, or its ``include_router``)
   is kept as declared, and given the problem+json body when it names no content.

Routes whose errors are not problem+json declare them with :func:`pact_errors`, :func:`oauth_errors` or
:func:`handle_errors`; their errors are then theirs: steps 1–4 add nothing and FastAPI's 422 is dropped (PACT
answers invalid input with 400). The body limits answer PACT's routes with PACT's or OAuth's 400, which those
routes declare; the Handle routes get their 413 as problem+json, as the limits answer it, and their 404 may be
the node's problem+json too (a path no route pattern takes).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from node_service.api._deps import current_organisation
from node_service.api.problems import PROBLEM_JSON

__all__ = [
    "complete_openapi",
    "handle_errors",
    "oauth_errors",
    "pact_errors",
    "problem_responses",
]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

DESCRIPTIONS = {
    400: "the request is malformed",
    401: "no API token, or an unknown or revoked one",
    403: "the organisation of the token may not do this",
    404: "no such resource visible to the caller",
    409: "conflicts with stored data, or not anchored yet (retry after Retry-After seconds)",
    413: "the request body is larger than the node accepts",
    422: "the input is not valid (the problem names the field)",
    500: "an upstream failed",
    503: "not available on this node now",
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "title": "Problem",
        "description": "RFC 9457 problem details, as every node endpoint answers its errors",
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "description": "/problems/<kind>, e.g. /problems/not-found"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "what failed"},
            "instance": {"type": "string", "description": "the request path"},
            "field": {"type": "string", "description": "JSON path of the input at fault"},
            "fix": {"type": "string", "description": "what to do"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    },
    "PactError": {
        "title": "PactError",
        "description": "PACT Technical Specifications error response",
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    },
    "OAuthError": {
        "title": "OAuthError",
        "description": "RFC 6749 §5.2 error response of the token endpoint",
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    },
    "HandleError": {
        "title": "HandleError",
        "description": "Handle.Net REST API error response",
        "type": "object",
        "required": ["responseCode"],
        "properties": {
            "responseCode": {"type": "integer"},
            "handle": {"type": "string"},
            "message": {"type": "string"},
        },
    },
}


def _content(media_type: str, schema: str) -> dict[str, Any]:
    return {media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _family(schema: str, media_type: str, codes: Iterable[int]) -> dict[int | str, dict[str, Any]]:
    return {
        code: {"description": DESCRIPTIONS.get(code, "error"), "content": _content(media_type, schema)}
        for code in codes
    }


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for statuses a route answers as problem+json beyond the derived ones."""
    return _family("Problem", PROBLEM_JSON, codes)


def pact_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for a PACT route's error statuses (``{"code", "message"}``)."""
    return _family("PactError", "application/json", codes)


def oauth_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the token endpoint's error statuses (RFC 6749 §5.2)."""
    return _family("OAuthError", "application/json", codes)


def handle_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the Handle.Net REST API's error statuses."""
    return _family("HandleError", "application/json", codes)


def _calls(dependant: Dependant) -> Iterable[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _authenticated(route: RouteContext) -> bool:
    return any(call is current_organisation for call in _calls(route.dependant))


def _error_family(route: RouteContext) -> str:
    """``Problem``, or the schema of the error bodies the route declares itself (``PactError`` …)."""
    for code, declared in route.responses.items():
        for media in (declared.get("content") or {}).values():
            ref = str((media.get("schema") or {}).get("$ref", ""))
            if str(code)[0] in "45" and ref.rsplit("/", 1)[-1] in SCHEMAS:
                return ref.rsplit("/", 1)[-1]
    return "Problem"


def derived_statuses(route: RouteContext, method: str) -> set[int]:
    """Steps 1–5 of the module's list, for one method of a problem+json route."""
    codes: set[int] = set()
    dependant = route.dependant
    if _authenticated(route):
        codes |= {401, 403}
    if dependant.path_params:
        codes.add(404)
    if method in WRITE_METHODS:
        codes |= {409, 422}
    if dependant.query_params or dependant.header_params or dependant.body_params:
        codes.add(422)
    if method in BODY_METHODS:
        codes |= {413, 422}
    return codes


def _complete_operation(operation: dict[str, Any], route: RouteContext, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    declared = {str(code) for code in route.responses}
    family = _error_family(route)
    if family != "Problem":
        if "422" not in declared:
            responses.pop("422", None)
        wanted = {413} if family == "HandleError" and method in BODY_METHODS else set()
        if "404" in responses and ":path}" in (route.path or ""):
            # a path the route's pattern does not take (a control character in a {handle:path}) is not
            # routed at all: the node's own 404 answers it
            responses["404"].setdefault("content", {}).setdefault(
                PROBLEM_JSON, _content(PROBLEM_JSON, "Problem")[PROBLEM_JSON]
            )
    else:
        wanted = derived_statuses(route, method)
        if "422" in responses and "422" not in declared:
            responses["422"] = problem_responses(422)[422]
    for wanted_code in wanted:
        responses.setdefault(str(wanted_code), problem_responses(wanted_code)[wanted_code])
    for code, entry in responses.items():
        if code[0] in "45" and not entry.get("content"):
            entry["content"] = _content(PROBLEM_JSON, "Problem")
    operation["responses"] = dict(sorted(responses.items()))


def complete_openapi(document: dict[str, Any], routes: Iterable[BaseRoute]) -> dict[str, Any]:
    """``document`` (FastAPI's OpenAPI of ``routes``) with every operation's error responses filled in."""
    completed = copy.deepcopy(document)
    schemas = completed.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in SCHEMAS.items():
        schemas.setdefault(name, schema)
    paths = completed.get("paths", {})
    for route in iter_route_contexts(list(routes)):
        # a route as included: its router's and its include_router's responses merged into its own
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _complete_operation(operation, route, method)
    if "#/components/schemas/HTTPValidationError" not in json.dumps(paths):
        for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 shape, answered by no route
            schemas.pop(name, None)
    return completed
