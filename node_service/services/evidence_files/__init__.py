"""Evidence files in the node (upload, ownership, sharing), GEC serials claimed once across the exchange and
the verification package of a footprint.

For the submission service: ``check_cited_evidence(session, org, cited_cids(subject, "credentialSubject"))``
and ``record_gec_claims(session, org, activity, submission_id)`` (returns log entries to append).
HTTP: ``node_service.api.evidence``.
"""

from node_service.services.evidence_files.files import check_cited_evidence, cited_cids
from node_service.services.evidence_files.gec_claims import gec_claims_of, record_gec_claims

__all__ = ["check_cited_evidence", "cited_cids", "gec_claims_of", "record_gec_claims"]
