"""The PACT API's errors: node errors (node_service.errors.NodeError) that carry the PACT Technical
Specifications' error response code ("Error responses": ``{"code", "message"}``), or an RFC 6749 §5.2 error of
Action Authenticate. The PACT routes render them as PACT bodies; anywhere else they are the node's problem+json,
like every other NodeError. Access denied is the node's own ``AccessDenied`` (its PACT code is ``AccessDenied``).

Messages follow "what failed: detail — what to do".
"""

from __future__ import annotations

from node_service.errors import NodeError

__all__ = [
    "BadRequest",
    "InternalError",
    "NoSuchFootprint",
    "NotImplementedAction",
    "OAuthError",
    "PactError",
    "TokenExpired",
]


class PactError(NodeError):
    """A node error with a PACT error response code."""

    status: int = 500
    code: str = "InternalError"
    problem = "pact-error"
    title = "PACT request failed"

    def body(self, spec_major: int = 3) -> dict[str, str]:
        """The PACT error response (code + message)."""
        return {"code": self.code, "message": self.message}


class BadRequest(PactError):
    status = 400
    code = "BadRequest"


class TokenExpired(PactError):
    status = 401
    code = "TokenExpired"


class NoSuchFootprint(PactError):
    """404. The v3 OpenAPI ``Error.code`` enum names it ``NotFound`` (annotated "NoSuchFootprint"); v2.3 and the
    prose table of the Technical Specifications name it ``NoSuchFootprint``."""

    status = 404
    code = "NotFound"

    def body(self, spec_major: int = 3) -> dict[str, str]:
        return {"code": "NotFound" if spec_major >= 3 else "NoSuchFootprint", "message": self.message}


class NotImplementedAction(PactError):
    """The spec's error table gives NotImplemented HTTP status 400."""

    status = 400
    code = "NotImplemented"


class InternalError(PactError):
    status = 500
    code = "InternalError"


class OAuthError(NodeError):
    """An RFC 6749 §5.2 error response of the token endpoint (``{"error", "error_description"}``)."""

    problem = "oauth-error"
    title = "Authentication failed"

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        self.error = error
        self.description = description
        super().__init__(f"{error}: {description}")
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}
