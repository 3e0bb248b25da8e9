"""Errors of the evidence and GEC-claim API; all are node errors (RFC 9457 problems). A file that is too large
is the evidence store's own ``EvidenceTooLargeError`` (a node error too)."""

from __future__ import annotations

from node_service.errors import Conflict, ValidationFailed

__all__ = ["ContractClaimed", "GecSerialClaimed", "UploadInvalid"]


class UploadInvalid(ValidationFailed):
    problem = "upload-invalid"
    title = "The upload is not a valid evidence upload"


class GecSerialClaimed(Conflict):
    problem = "gec-serial-claimed"
    title = "The GEC serial is already claimed"


class ContractClaimed(Conflict):
    problem = "green-power-contract-claimed"
    title = "The green-power contract's delivery is already claimed"
