"""Evidence files addressed by IPFS CIDv1, exactly as Kubo's ``ipfs add --cid-version=1``.

Public surface:

- ``cid_of_stream`` / ``cid_of_file`` / ``cid_of_bytes`` → ``CidResult(cid, size, sha256_hex, dag_size)``;
  ``BalancedFileImporter`` for incremental use;
- ``EvidenceStore`` (protocol), ``StoredEvidence``, ``LocalEvidenceStore``, ``KuboEvidenceStore``;
- ``parse_cid`` / ``CidV1``;
- errors rooted at ``EvidenceError``.
"""

from node_service.evidence.cid import CidV1, parse_cid
from node_service.evidence.errors import (
    CidMismatchError,
    EvidenceError,
    EvidenceNotFoundError,
    EvidenceStorageError,
    EvidenceTooLargeError,
    InvalidCidError,
    KuboRpcError,
)
from node_service.evidence.kubo import KuboEvidenceStore
from node_service.evidence.local import LocalEvidenceStore
from node_service.evidence.store import MAX_EVIDENCE_SIZE, EvidenceStore, StoredEvidence
from node_service.evidence.unixfs import (
    BalancedFileImporter,
    CidResult,
    cid_of_bytes,
    cid_of_file,
    cid_of_stream,
)

__all__ = [
    "MAX_EVIDENCE_SIZE",
    "BalancedFileImporter",
    "CidMismatchError",
    "CidResult",
    "CidV1",
    "EvidenceError",
    "EvidenceNotFoundError",
    "EvidenceStorageError",
    "EvidenceStore",
    "EvidenceTooLargeError",
    "InvalidCidError",
    "KuboEvidenceStore",
    "KuboRpcError",
    "LocalEvidenceStore",
    "StoredEvidence",
    "cid_of_bytes",
    "cid_of_file",
    "cid_of_stream",
    "parse_cid",
]
