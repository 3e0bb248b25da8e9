"""One exception root for the node; each subclass is one kind of failure.

Messages follow "what failed: detail — what to do" so an operator at 3 a.m. knows the next step.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "Conflict",
    "NodeError",
    "NotFound",
    "NotReady",
    "StartupError",
    "Unauthenticated",
    "ValidationFailed",
]


class NodeError(Exception):
    """Root of every error the node raises on purpose."""

    status: int = 500
    problem: str = "internal-error"
    title: str = "Internal error"

    def __init__(self, detail: str, *, fix: str | None = None, field: str | None = None) -> None:
        self.detail = detail
        self.fix = fix
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.detail} — {self.fix}" if self.fix else self.detail

    def diagnostics(self) -> str:
        """One line for a terminal: what failed and what to do."""
        return self.message


class StartupError(NodeError):
    problem = "startup-failed"
    title = "The node could not start"


class ValidationFailed(NodeError):
    status = 422
    problem = "validation-failed"
    title = "The input is not valid"


class AccessDenied(NodeError):
    status = 403
    problem = "access-denied"
    title = "Access denied"


class Unauthenticated(NodeError):
    status = 401
    problem = "unauthenticated"
    title = "Authentication required"


class NotFound(NodeError):
    status = 404
    problem = "not-found"
    title = "Not found"


class Conflict(NodeError):
    status = 409
    problem = "conflict"
    title = "Conflict with stored data"


class NotReady(NodeError):
    status = 409
    problem = "not-anchored-yet"
    title = "Not ready yet"
