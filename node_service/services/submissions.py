"""Signed activity-data submissions: verify, attribute, validate, compute, store and log — all or nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from footprint_engine.activity import ActivityData
from node_service.credentials.didkey import controller_of
from node_service.credentials.eddsa_jcs_2022 import verify
from node_service.credentials.errors import CredentialError
from node_service.credentials.vc import check_credential
from node_service.db.models import Footprint, Organisation, OrganisationKey, Submission
from node_service.errors import Conflict, ValidationFailed
from node_service.runtime import Node
from node_service.services.footprints import compute_footprint_document
from node_service.services.log import canonical_sha256, make_entry

__all__ = ["Accepted", "submit_credential"]

ACTIVITY_TYPE = "ActivityDataCredential"


@dataclass(frozen=True)
class Accepted:
    submission: Submission
    footprint: Footprint
    created: bool  # False when the same credential was submitted before (idempotent replay)


def pydantic_problem(exc: ValidationError, prefix: str) -> ValidationFailed:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in (prefix, *first["loc"]))
    failed = ValidationFailed(
        f"{loc}: {first['msg']}",
        fix=f"correct {loc} ({len(exc.errors())} problem(s) in total)",
        field=loc,
    )
    failed.errors = [  # type: ignore[attr-defined]
        {"field": ".".join(str(p) for p in (prefix, *e["loc"])), "rule": e["type"], "message": e["msg"]}
        for e in exc.errors()
    ]
    return failed


def submit_credential(node: Node, credential: dict[str, Any]) -> Accepted:
    """Accept a signed activity-data credential. Checks, in order:

    (1) the credential is a VerifiableCredential of type ActivityDataCredential with an id;
    (2) its eddsa-jcs-2022 proof verifies;
    (3) the signing key is registered, active, and belongs to the issuer organisation;
    (4) the credentialSubject is valid activity data;
    (5) idempotency: the same id with the same content returns the stored record; other content is 409;
    (6) the footprint engine computes the footprint;
    (7) submission, footprint and their log entries are stored in one transaction; an earlier accepted
        submission for the same product and period is marked superseded.
    """
    # (1)
    try:
        check_credential(credential, expected_type=ACTIVITY_TYPE)
    except CredentialError as exc:
        raise ValidationFailed(str(exc), field="credential") from exc
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise ValidationFailed("the credential has no id", field="id", fix="give it an id such as urn:uuid:…")
    # (2)
    try:
        proof = verify(credential)
    except CredentialError as exc:
        raise ValidationFailed(f"proof: {exc}", field="proof") from exc
    signer = controller_of(proof.verification_method)
    digest = canonical_sha256(credential)
    # (4)
    try:
        activity = ActivityData.model_validate(credential.get("credentialSubject"))
    except ValidationError as exc:
        raise pydantic_problem(exc, "credentialSubject") from exc

    with node.db.transaction() as session:
        # (3)
        key = session.get(OrganisationKey, signer)
        if key is None:
            raise ValidationFailed(
                f"signing key {signer} is not registered",
                field="proof.verificationMethod",
                fix="register the key for your organisation first",
            )
        if key.status != "active":
            raise ValidationFailed(
                f"signing key {signer} is {key.status}",
                field="proof.verificationMethod",
                fix="sign with an active key of your organisation",
            )
        org = session.get(Organisation, key.organisation_id)
        assert org is not None
        if credential.get("issuer") != org.did:
            raise ValidationFailed(
                f"issuer {credential.get('issuer')!r} is not the organisation the key belongs to ({org.did})",
                field="issuer",
                fix="set issuer to your organisation's did",
            )
        if activity.organisation.id not in (org.did, org.uscc):
            raise ValidationFailed(
                f"credentialSubject.organisation.id {activity.organisation.id!r} is not the issuer ({org.did})",
                field="credentialSubject.organisation.id",
                fix="report your own organisation's did or USCC",
            )
        # (5)
        existing = session.get(Submission, credential_id)
        if existing is not None:
            if existing.sha256 != digest or existing.organisation_id != org.id:
                raise Conflict(
                    f"credential {credential_id} was submitted before with other content",
                    fix="give a new credential id to a new version",
                )
            footprint = session.execute(
                select(Footprint).where(Footprint.submission_id == existing.id)
            ).scalar_one()
            return Accepted(existing, footprint, created=False)
        org_did = org.did
        org_id = org.id

    # (6) outside any transaction: the engine is pure and may take a while
    footprint_id = str(uuid.uuid4())
    document = compute_footprint_document(
        node, activity, footprint_id=footprint_id, submission_id=credential_id, organisation=org_did
    )

    # (7)
    now = datetime.now(UTC)
    period = activity.reporting_period
    with node.tlog.lock, node.db.transaction() as session:
        if session.get(Submission, credential_id) is not None:
            raise Conflict(f"credential {credential_id} was submitted concurrently", fix="retry the request")
        previous = session.execute(
            select(Submission).where(
                Submission.organisation_id == org_id,
                Submission.product_id == activity.product_identifier,
                Submission.period_start == period.start.isoformat(),
                Submission.period_end == period.end.isoformat(),
                Submission.status == "accepted",
            )
        ).scalars()
        for old in previous:
            old.status = "superseded"
            old.superseded_by = credential_id
        submission = Submission(
            id=credential_id,
            organisation_id=org_id,
            product_id=activity.product_identifier,
            period_start=period.start.isoformat(),
            period_end=period.end.isoformat(),
            status="accepted",
            credential=credential,
            sha256=digest,
            signed_by=proof.verification_method,
            created_at=now,
        )
        session.add(submission)
        session.flush()
        footprint = Footprint(
            id=footprint_id,
            submission_id=credential_id,
            organisation_id=org_id,
            product_id=activity.product_identifier,
            result=document,
            sha256=canonical_sha256(document),
            created_at=now,
        )
        session.add(footprint)
        session.flush()
        node.tlog.append(
            session,
            [
                make_entry("submission", credential_id, digest, org_did),
                make_entry("footprint", footprint_id, footprint.sha256, org_did),
            ],
        )
    return Accepted(submission, footprint, created=True)
