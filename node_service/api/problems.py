"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from node_service.errors import NodeError

__all__ = ["PROBLEM_JSON", "install_problem_handlers", "problem_response"]

PROBLEM_JSON = "application/problem+json"


def problem_response(
    status: int, problem: str, title: str, detail: str, request: Request, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{problem}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    # a receipt not anchored yet, or a database refusing writes for now: worth asking again shortly
    headers = {"Retry-After": "5"} if problem in ("not-anchored-yet", "database-unavailable") else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(NodeError)
    async def node_error(request: Request, exc: NodeError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.problem,
            exc.title,
            exc.detail,
            request,
            field=exc.field,
            fix=exc.fix,
            errors=getattr(exc, "errors", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "rule": e["type"], "message": e["msg"]}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        return problem_response(
            422,
            "validation-failed",
            "The input is not valid",
            f"{first['field']}: {first['message']}",
            request,
            field=first["field"],
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        problem = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated"}.get(
            exc.status_code, "http"
        )
        return problem_response(exc.status_code, problem, str(exc.detail), str(exc.detail), request)
