"""The checks a signed activity-data submission passes before anything is written (:func:`check_submission`),
and the records they produce: :class:`Checked` (ready to store) or :class:`Accepted` (stored before)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData, parse_activity
from footprint_engine.errors import ActivityDataError
from node_service.credentials.eddsa_jcs_2022 import VerifiedProof, verify
from node_service.credentials.errors import CredentialError
from node_service.credentials.jcs import canonicalize
from node_service.credentials.vc import check_credential
from node_service.db import statements as dbapi
from node_service.db.models import Footprint, Submission
from node_service.errors import Conflict, ValidationFailed
from node_service.services.context import NodeResources
from node_service.services.evidence_files.contract_claims import (
    ContractClaimRef,
    check_contracts_free,
    contract_claims,
)
from node_service.services.evidence_files.files import check_cited_evidence, cited_cids
from node_service.services.evidence_files.gec_claims import (
    Claimant,
    SerialClaim,
    check_serials_free,
    serial_claims,
)
from node_service.services.organisations.errors import KeyNotRegistered
from node_service.services.organisations.keys import check_key_validity, key_not_registered
from node_service.services.organisations.models import SubmissionFlag
from node_service.services.organisations.ownership import check_reporter
from node_service.services.organisations.resolution import Resolved, cited_identifiers, resolve_cited

__all__ = [
    "ACTIVITY_TYPE",
    "SUBJECT",
    "Accepted",
    "Checked",
    "activity_problem",
    "check_submission",
    "submission_flags",
]

ACTIVITY_TYPE = "ActivityDataCredential"


SUBJECT = "credentialSubject"


@dataclass(frozen=True)
class Accepted:
    submission: Submission
    footprint: Footprint
    created: bool  # False when the same credential was submitted before (idempotent replay)
    flags: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Checked:
    """A credential that passed every check, ready to be stored."""

    credential: dict[str, Any]
    credential_id: str
    sha256: str
    activity: ActivityData
    proof: VerifiedProof
    organisation_id: str
    organisation_did: str
    identifiers: list[Resolved]
    flags: list[tuple[str, str, str]]  # (kind, field, detail)
    # RFC 8785 bytes of the credential: hashed for ``sha256`` and stored as the JSON column's text
    canonical: bytes = field(default=b"", repr=False)
    gec: list[SerialClaim] = field(default_factory=list)  # the GEC serials it claims (free when checked)
    contracts: list[ContractClaimRef] = field(default_factory=list)  # its green-power contracts (free too)

    @property
    def claimant(self) -> Claimant:
        return Claimant.of(self.organisation_id, self.organisation_did, self.credential_id, self.activity)


def _loc_path(loc: tuple[Any, ...]) -> str:
    path = SUBJECT
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def activity_problem(exc: ValidationError, subject: Any) -> ValidationFailed:
    """A 422 naming the real field path.

    Model-level validators of the engine raise errors whose pydantic ``loc`` is empty (or stops at the
    parent) while the engine's own error names the path; ``parse_activity`` turns the first error into that
    :class:`ActivityDataError`, whose ``field`` we report. The ``errors`` list keeps every pydantic error.
    """
    errors = exc.errors(include_url=False)
    try:
        parse_activity(subject)
        engine_error: ActivityDataError | None = None
    except ActivityDataError as found:
        engine_error = found
    first_loc = _loc_path(tuple(errors[0]["loc"]))
    where = (
        f"{SUBJECT}.{engine_error.field}" if engine_error is not None and engine_error.field else first_loc
    )
    message = engine_error.detail if engine_error is not None else str(errors[0]["msg"])
    failed = ValidationFailed(
        f"{where}: {message}",
        fix=(engine_error.fix if engine_error is not None else f"correct {where}")
        + f" ({len(errors)} problem(s) in total)",
        field=where,
    )
    failed.errors = [  # type: ignore[attr-defined]
        {
            "field": where if i == 0 else _loc_path(tuple(e["loc"])),
            "rule": e["type"],
            "message": str(e["msg"]).removeprefix("Value error, "),
        }
        for i, e in enumerate(errors)
    ]
    return failed


def submission_flags(session: Session, submission_id: str) -> list[dict[str, Any]]:
    """Flags raised on a stored submission (e.g. signed by a key revoked later), oldest first."""
    rows = session.execute(
        select(SubmissionFlag)
        .where(SubmissionFlag.submission_id == submission_id)
        .order_by(SubmissionFlag.id)
    ).scalars()
    return [{"kind": r.kind, "field": r.field, "detail": r.detail} for r in rows]


def _existing(session: Session, credential_id: str, sha256: str, org_id: str) -> Accepted | None:
    existing = session.get(Submission, credential_id)
    if existing is None:
        return None
    if existing.sha256 != sha256 or existing.organisation_id != org_id:
        raise Conflict(
            f"credential {credential_id} was submitted before with other content",
            fix="give a new credential id to a new version",
            field="id",
        )
    footprint = session.execute(select(Footprint).where(Footprint.submission_id == existing.id)).scalar_one()
    return Accepted(existing, footprint, created=False, flags=submission_flags(session, existing.id))


def check_submission(node: NodeResources, credential: dict[str, Any]) -> Checked | Accepted:
    """Every check that can refuse a credential, in order (nothing is written):

    (1) the credential is a VerifiableCredential of type ActivityDataCredential with an id;
    (2) its eddsa-jcs-2022 proof verifies;
    (3) the credentialSubject is valid activity data (a 422 names the field);
    (4) the signing key is registered; its organisation is the issuer; proof.created is not in the future,
        not before the key was added (422 ``key-not-yet-added``), not after the key's revocation or retirement
        (before a revocation: accepted and flagged);
    (5) the subject's organisation is the issuer (its did or USCC);
    (6) idempotency: the same id with the same content returns the stored record (an Accepted); the same
        id with other content is 409;
    (7) every cited identifier resolves (see node_service.services.organisations.resolution): an unresolvable one is a 422
        naming it (with ``TANLIAN_STRICT_IDENTIFIERS=false``, handles under prefixes no resolver serves are
        accepted and flagged instead); the product is the submitter's to report: a product owned by another
        organisation here (its IDIS prefix, or the records declaring its GTIN) is a 403 ``product-not-yours``
        unless the owner delegated the prefix to the submitter (node_service.services.organisations.ownership);
    (8) every cited evidence CID is stored on this node by the organisation (422 naming the JSON path);
    (9) every GEC serial claimed (on its own or bundled with a green-power contract) is free: not held by
        another submission of anyone (409 naming the JSON path), except by an earlier version of this
        submission, whose claims move to it; likewise every green-power contract's delivery window (409
        ``green-power-contract-claimed`` when another submission holds an overlapping window of the same
        contract). The store checks (9) again in its own transaction.
    """
    # (1)
    try:
        check_credential(credential, expected_type=ACTIVITY_TYPE)
    except CredentialError as exc:
        raise ValidationFailed(str(exc), field="credential") from exc
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise ValidationFailed("the credential has no id", field="id", fix="give it an id such as urn:uuid:…")
    if len(credential_id) > 200:
        raise ValidationFailed(
            f"the credential id has {len(credential_id)} characters, want at most 200", field="id"
        )
    # (2)
    try:
        proof = verify(credential)
    except CredentialError as exc:
        raise ValidationFailed(f"proof: {exc}", field="proof") from exc
    # the credential's canonical form, from the members the verifier canonicalised: hashed and stored
    canonical = proof.canonical_document or canonicalize(credential)
    digest = hashlib.sha256(canonical).hexdigest()
    # (3)
    subject = credential.get(SUBJECT)
    try:
        activity = ActivityData.model_validate(subject)
    except ValidationError as exc:
        raise activity_problem(exc, subject) from exc

    with node.db.transaction() as session:
        # (4) one plain query for the key and its organisation (the ORM cost 10x the database here)
        signer = proof.controller
        rows = dbapi.query(
            session,
            "SELECT k.organisation_id, k.revoked_at, k.retired_at, o.did, o.uscc, k.created_at "
            "FROM organisation_keys k "
            "JOIN organisations o ON o.id = k.organisation_id WHERE k.did = ?",
            (signer,),
        )
        if not rows:
            raise key_not_registered(signer)
        org_id, revoked_at, retired_at, org_did, org_uscc, added_at = rows[0]
        _created, key_flags = check_key_validity(
            signer,
            org_id,
            dbapi.read_datetime(revoked_at),
            dbapi.read_datetime(retired_at),
            proof,
            None,
            added_at=dbapi.read_datetime(added_at),
        )
        if credential.get("issuer") != org_did:
            raise KeyNotRegistered(
                f"signing key {signer} is not registered to the issuer {credential.get('issuer')!r} "
                f"(it belongs to {org_did})",
                field="issuer",
                fix="set issuer to your organisation's did and sign with one of its keys",
            )
        # (5)
        if activity.organisation.id not in (org_did, org_uscc):
            raise ValidationFailed(
                f"credentialSubject.organisation.id {activity.organisation.id!r} is not the issuer ({org_did})",
                field="credentialSubject.organisation.id",
                fix="report your own organisation's did or USCC",
            )
        # (6)
        if dbapi.query(session, "SELECT 1 FROM submissions WHERE id = ?", (credential_id,)):
            existing = _existing(session, credential_id, digest, org_id)
            if existing is not None:
                return existing
        # (7)
        resolved, unresolved = resolve_cited(
            session, node.resolver, cited_identifiers(activity), strict=node.settings.strict_identifiers
        )
        check_reporter(session, activity.product_identifier, org_id, f"{SUBJECT}.productIdentifier")
        # (8)
        org = _OrganisationRef(org_id, org_did)
        check_cited_evidence(session, org, cited_cids(subject, SUBJECT))
        # (9)
        claims = serial_claims(activity, credential_id)
        contracts = contract_claims(activity)
        claimant = Claimant.of(org_id, org_did, credential_id, activity)
        check_serials_free(session, claimant, claims)
        check_contracts_free(session, claimant, contracts)
        flags = [(kind, "proof.verificationMethod", detail) for kind, detail in key_flags] + unresolved
        return Checked(
            credential=credential,
            credential_id=credential_id,
            sha256=digest,
            activity=activity,
            proof=proof,
            organisation_id=org_id,
            organisation_did=org_did,
            identifiers=resolved,
            flags=flags,
            canonical=canonical,
            gec=claims,
            contracts=contracts,
        )


@dataclass(frozen=True, slots=True)
class _OrganisationRef:
    id: str
    did: str
