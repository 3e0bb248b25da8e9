"""Errors of the evidence store: one root, one subclass per kind of failure.

Every message reads "what failed: detail — what to do".
"""

from __future__ import annotations

from node_service.errors import NodeError

__all__ = [
    "CidMismatchError",
    "EvidenceError",
    "EvidenceNotFoundError",
    "EvidenceStorageError",
    "EvidenceTooLargeError",
    "InvalidCidError",
    "KuboRpcError",
]


class EvidenceError(Exception):
    """Root of every error raised by ``node_service.evidence``."""

    def diagnostics(self) -> str:
        """The message, meant for the person who has to act on it."""
        return str(self)


class InvalidCidError(EvidenceError, ValueError):
    """A CID string is malformed or is not a CIDv1 this store produces."""


class EvidenceTooLargeError(EvidenceError, NodeError):
    """A file is larger than the configured maximum evidence size: the store's error, and the node's 413
    when an upload or a stored file is too large (one error for both, rendered as RFC 9457 problem+json)."""

    status = 413
    problem = "evidence-too-large"
    title = "The evidence file is too large"


class EvidenceNotFoundError(EvidenceError, LookupError):
    """No evidence is stored under the requested CID."""


class CidMismatchError(EvidenceError):
    """Bytes do not hash to the CID they were stored or announced under."""


class EvidenceStorageError(EvidenceError):
    """The backend (local directory or Kubo node) failed to store or return bytes."""


class KuboRpcError(EvidenceStorageError):
    """The Kubo HTTP RPC API answered with an error or an unexpected body."""
