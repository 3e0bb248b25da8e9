"""Signed activity-data submissions: verify, attribute, validate, resolve, compute, store and log — all or
nothing. :func:`check_submission` does every check that can refuse a credential; :func:`store_submission`
writes the checked credential with its footprint; :func:`submit_credential` is both with the engine between.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData, parse_activity
from footprint_engine.errors import ActivityDataError
from node_service.credentials.eddsa_jcs_2022 import VerifiedProof, verify
from node_service.credentials.errors import CredentialError
from node_service.credentials.jcs_fast import canonicalize
from node_service.credentials.vc import check_credential
from node_service.db.models import Footprint, Organisation, Submission
from node_service.errors import Conflict, ValidationFailed
from node_service.identity.errors import KeyNotRegistered
from node_service.identity.keys import check_signature_time
from node_service.identity.models import SubmissionFlag
from node_service.identity.resolution import Resolved, cited_identifiers, resolve_cited, resolver_for
from node_service.runtime import Node
from node_service.services.footprints import compute_footprint_document
from node_service.services.log import make_entry

__all__ = [
    "ACTIVITY_TYPE",
    "Accepted",
    "Checked",
    "activity_problem",
    "check_submission",
    "store_submission",
    "submission_flags",
    "submit_credential",
]

ACTIVITY_TYPE = "ActivityDataCredential"


def canonical_sha256(document: Any) -> str:
    """Hex SHA-256 of the RFC 8785 form: the same value as services.log.canonical_sha256, through the
    credentials package's fast JCS path (the pure-Python reference cost ~15 ms per stored footprint)."""
    return hashlib.sha256(canonicalize(document)).hexdigest()
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


def check_submission(node: Node, credential: dict[str, Any]) -> Checked | Accepted:
    """Every check that can refuse a credential, in order (nothing is written):

    (1) the credential is a VerifiableCredential of type ActivityDataCredential with an id;
    (2) its eddsa-jcs-2022 proof verifies;
    (3) the credentialSubject is valid activity data (a 422 names the field);
    (4) the signing key is registered; its organisation is the issuer; proof.created is not in the future,
        not after the key's revocation or retirement (before a revocation: accepted and flagged);
    (5) the subject's organisation is the issuer (its did or USCC);
    (6) idempotency: the same id with the same content returns the stored record (an Accepted); the same
        id with other content is 409;
    (7) every cited identifier resolves (see node_service.identity.resolution).
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
    digest = canonical_sha256(credential)
    # (3)
    subject = credential.get(SUBJECT)
    try:
        activity = ActivityData.model_validate(subject)
    except ValidationError as exc:
        raise activity_problem(exc, subject) from exc

    with node.db.transaction() as session:
        # (4)
        check = check_signature_time(session, proof, None)
        org = session.get(Organisation, check.key.organisation_id)
        assert org is not None
        if credential.get("issuer") != org.did:
            raise KeyNotRegistered(
                f"signing key {proof.controller} is not registered to the issuer {credential.get('issuer')!r} "
                f"(it belongs to {org.did})",
                field="issuer",
                fix="set issuer to your organisation's did and sign with one of its keys",
            )
        # (5)
        if activity.organisation.id not in (org.did, org.uscc):
            raise ValidationFailed(
                f"credentialSubject.organisation.id {activity.organisation.id!r} is not the issuer ({org.did})",
                field="credentialSubject.organisation.id",
                fix="report your own organisation's did or USCC",
            )
        # (6)
        existing = _existing(session, credential_id, digest, org.id)
        if existing is not None:
            return existing
        # (7)
        resolved, unresolved = resolve_cited(
            session, resolver_for(node), cited_identifiers(activity), strict=node.settings.strict_identifiers
        )
        flags = [(kind, "proof.verificationMethod", detail) for kind, detail in check.flags] + unresolved
        return Checked(
            credential=credential,
            credential_id=credential_id,
            sha256=digest,
            activity=activity,
            proof=proof,
            organisation_id=org.id,
            organisation_did=org.did,
            identifiers=resolved,
            flags=flags,
        )


def store_submission(node: Node, checked: Checked, footprint_id: str, document: dict[str, Any]) -> Accepted:
    """Store a checked submission and its footprint document, with their log entries, in one transaction;
    an earlier accepted submission for the same product and period is marked superseded."""
    now = datetime.now(UTC)
    activity = checked.activity
    period = activity.reporting_period
    with node.tlog.lock, node.db.transaction() as session:
        if session.get(Submission, checked.credential_id) is not None:
            raise Conflict(
                f"credential {checked.credential_id} was submitted concurrently", fix="retry the request"
            )
        previous = session.execute(
            select(Submission).where(
                Submission.organisation_id == checked.organisation_id,
                Submission.product_id == activity.product_identifier,
                Submission.period_start == period.start.isoformat(),
                Submission.period_end == period.end.isoformat(),
                Submission.status == "accepted",
            )
        ).scalars()
        for old in previous:
            old.status = "superseded"
            old.superseded_by = checked.credential_id
        submission = Submission(
            id=checked.credential_id,
            organisation_id=checked.organisation_id,
            product_id=activity.product_identifier,
            period_start=period.start.isoformat(),
            period_end=period.end.isoformat(),
            status="accepted",
            credential=checked.credential,
            sha256=checked.sha256,
            signed_by=checked.proof.verification_method,
            created_at=now,
        )
        session.add(submission)
        session.flush()
        footprint = Footprint(
            id=footprint_id,
            submission_id=checked.credential_id,
            organisation_id=checked.organisation_id,
            product_id=activity.product_identifier,
            result=document,
            sha256=canonical_sha256(document),
            version=document["version"],
            created_at=now,
        )
        session.add(footprint)
        session.add_all(
            SubmissionFlag(
                submission_id=checked.credential_id,
                kind=kind,
                field=where,
                detail=detail[:1000],
                created_at=now,
            )
            for kind, where, detail in checked.flags
        )
        session.flush()
        node.tlog.append(
            session,
            [
                make_entry("submission", checked.credential_id, checked.sha256, checked.organisation_did),
                make_entry("footprint", footprint_id, footprint.sha256, checked.organisation_did),
            ],
        )
    flags = [{"kind": k, "field": f, "detail": d[:1000]} for k, f, d in checked.flags]
    return Accepted(submission, footprint, created=True, flags=flags)


def submit_credential(node: Node, credential: dict[str, Any]) -> Accepted:
    """Accept a signed activity-data credential: :func:`check_submission`, then the footprint engine
    (outside any transaction: it is pure and may take a while), then :func:`store_submission`."""
    checked = check_submission(node, credential)
    if isinstance(checked, Accepted):
        return checked
    footprint_id = str(uuid.uuid4())
    document = compute_footprint_document(
        node,
        checked.activity,
        footprint_id=footprint_id,
        submission_id=checked.credential_id,
        organisation=checked.organisation_did,
    )
    return store_submission(node, checked, footprint_id, document)
