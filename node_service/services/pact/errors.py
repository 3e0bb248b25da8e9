"""One exception root for the PACT API. Each subclass is one error response code of the PACT Technical
Specifications ("Error responses": ``{"code", "message"}``), or an RFC 6749 §5.2 error of Action Authenticate.

Messages follow "what failed: detail — what to do".
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "BadRequest",
    "InternalError",
    "NoSuchFootprint",
    "NotImplementedAction",
    "OAuthError",
    "PactError",
    "TokenExpired",
]


class PactError(Exception):
    """Root of every error the PACT API answers with on purpose."""

    status: int = 500
    code: str = "InternalError"

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.detail = message
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.detail} — {self.fix}" if self.fix else self.detail

    def body(self, spec_major: int = 3) -> dict[str, str]:
        """The PACT error response (code + message)."""
        return {"code": self.code, "message": self.message}


class BadRequest(PactError):
    status = 400
    code = "BadRequest"


class AccessDenied(PactError):
    status = 403
    code = "AccessDenied"


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


class OAuthError(Exception):
    """An RFC 6749 §5.2 error response of the token endpoint (``{"error", "error_description"}``)."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        self.error = error
        self.description = description
        self.status = status
        super().__init__(f"{error}: {description}")

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}
