"""Evidence in the node (upload, ownership, sharing), GEC serials claimed once across the exchange, the
public log routes for auditors and the verification package.

For the submission service: ``check_cited_evidence(session, org, cited_cids(subject, "credentialSubject"))``
and ``record_gec_claims(session, org, activity, submission_id)`` (returns log entries to append).
For the app: ``evidence_router`` (``/evidence``, ``/log/heads``, ``/log/consistency``,
``/footprints/{id}/verification-package``).
"""

from fastapi import APIRouter

from node_service.evidence_api.gec import gec_claims_of, record_gec_claims
from node_service.evidence_api.log_routes import router as _log
from node_service.evidence_api.router import router as _evidence
from node_service.evidence_api.service import check_cited_evidence, cited_cids

__all__ = ["check_cited_evidence", "cited_cids", "evidence_router", "gec_claims_of", "record_gec_claims"]

evidence_router = APIRouter()
evidence_router.include_router(_evidence)
evidence_router.include_router(_log)
