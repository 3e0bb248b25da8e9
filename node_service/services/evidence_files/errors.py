"""Errors of the evidence and GEC-claim API; all are node errors (RFC 9457 problems)."""

from __future__ import annotations

from node_service.errors import Conflict, NodeError, ValidationFailed

__all__ = ["EvidenceTooLarge", "GecSerialClaimed", "UploadInvalid"]


class EvidenceTooLarge(NodeError):
    status = 413
    problem = "evidence-too-large"
    title = "The evidence file is too large"


class UploadInvalid(ValidationFailed):
    problem = "upload-invalid"
    title = "The upload is not a valid evidence upload"


class GecSerialClaimed(Conflict):
    problem = "gec-serial-claimed"
    title = "The GEC serial is already claimed"
