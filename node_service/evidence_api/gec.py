"""GEC (绿证) serials: each is claimed once across the whole exchange (DESIGN.md, calculation rules).

``record_gec_claims`` runs inside the submission's transaction: it records every GEC serial the activity data
claims against the submission and returns the "gec-claim" log entries the caller appends in the same
transaction. A serial already held by another submission is refused with 409 naming the serial and the JSON
path, unless it is held by an earlier submission of the same organisation that this one supersedes (the
claim then moves to the new version, and is logged again).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData, GecClaim
from node_service.db.models import Organisation, Submission
from node_service.evidence_api.errors import GecSerialClaimed
from node_service.evidence_api.models import GecClaimRecord
from node_service.services.log import canonical_sha256, make_entry

__all__ = ["gec_claims_of", "record_gec_claims"]


def gec_claims_of(activity: ActivityData) -> list[tuple[str, GecClaim]]:
    """Every GEC claim of the activity data with its JSON path, in document order."""
    out = []
    for i, elec in enumerate(activity.inputs.electricity):
        for j, claim in enumerate(elec.green_power_claims):
            if isinstance(claim, GecClaim):
                out.append((f"credentialSubject.inputs.electricity[{i}].greenPowerClaims[{j}]", claim))
    return out


def _claim_document(serial: str, claim: GecClaim, org: Organisation, submission_id: str) -> dict[str, Any]:
    return {
        "serial": serial,
        "organisation": org.did,
        "submissionId": submission_id,
        "quantityMWh": claim.quantity_mwh,
        "generationType": claim.generation_type,
        "productionDate": claim.production_date.isoformat(),
    }


def record_gec_claims(
    session: Session, org: Organisation, activity: ActivityData, submission_id: str
) -> list[dict[str, Any]]:
    """Claim every GEC serial of ``activity`` for ``submission_id``; return the log entries to append.

    Call after marking the submissions this one supersedes (their claims move to it).
    """
    entries: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for path, claim in gec_claims_of(activity):
        serial = claim.serial.strip()
        held = session.get(GecClaimRecord, serial, with_for_update=True)
        if held is not None:
            previous = session.get(Submission, held.submission_id)
            moves = (
                held.organisation_id == org.id
                and previous is not None
                and previous.status == "superseded"
                and previous.superseded_by == submission_id
            )
            if not moves:
                raise GecSerialClaimed(
                    f"{path}.serial: GEC serial {serial!r} is already claimed on this exchange"
                    + (" by another submission of yours" if held.organisation_id == org.id else ""),
                    field=f"{path}.serial",
                    fix="claim only certificates cancelled for you and not claimed before",
                )
        document = _claim_document(serial, claim, org, submission_id)
        digest = canonical_sha256(document)
        entry_id = f"urn:tanlian:gec-claim:{submission_id}:{serial}"
        if held is None:
            held = GecClaimRecord(serial=serial)
            session.add(held)
        held.organisation_id = org.id
        held.submission_id = submission_id
        held.claim = document
        held.sha256 = digest
        held.entry_id = entry_id
        held.claimed_at = now
        entries.append(make_entry("gec-claim", entry_id, digest, org.did, serial=serial))
    session.flush()
    return entries
