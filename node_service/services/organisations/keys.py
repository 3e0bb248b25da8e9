"""Signing keys of organisations: which key may sign what, when; adding, retiring and revoking keys.

An organisation holds one or more Ed25519 keys, each a ``did:key``. Its identity stays the first did
(the one that signed its registration); credentials name that did as issuer whatever key signs them.

The time of a signature is its ``proof.created``. A key is usable for a signature made at time *t* when
it belongs to the issuing organisation, *t* is not in the future beyond :data:`CLOCK_SKEW`, *t* is not before
the key was added to the organisation (its registration, less :data:`CLOCK_SKEW`: before it the node has no
record that the key was the organisation's, and a retired key back-dated to 2001 must not sign for it), and *t*
is before the key's retirement and revocation times. A signature made before a revocation still verifies,
but the stored submission is flagged: ``created`` is asserted by the signer, and whoever stole the key
can back-date it, so readers must be told.

Key changes are themselves credentials (VC 2.0, ``eddsa-jcs-2022``) issued by the organisation's did and
signed by one of its active keys; adding a key also needs a proof of possession signed by the new key.
Each change is one ``key`` entry in the transparency log, in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.credentials.didkey import controller_of, is_did_key
from node_service.credentials.eddsa_jcs_2022 import VerifiedProof, verify
from node_service.credentials.errors import CredentialError
from node_service.credentials.vc import check_credential, issuer_id
from node_service.db.models import Organisation, OrganisationKey, Submission
from node_service.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from node_service.log.append import canonical_sha256, make_entry
from node_service.services.context import NodeResources
from node_service.services.organisations.errors import (
    KeyNotRegistered,
    KeyNotYetAdded,
    KeyRetired,
    KeyRevoked,
    ProofTimeInvalid,
)
from node_service.services.organisations.models import SubmissionFlag

__all__ = [
    "CLOCK_SKEW",
    "KEY_ADDITION_TYPE",
    "KEY_POSSESSION_TYPE",
    "KEY_RETIREMENT_TYPE",
    "KEY_REVOCATION_TYPE",
    "MANAGEMENT_MAX_AGE",
    "SignatureCheck",
    "add_key",
    "as_utc",
    "check_key_validity",
    "check_signature_time",
    "key_not_registered",
    "key_state",
    "retire_key",
    "revoke_key",
]

CLOCK_SKEW = timedelta(minutes=2)
MANAGEMENT_MAX_AGE = timedelta(minutes=15)
KEY_ADDITION_TYPE = "KeyAddition"
KEY_POSSESSION_TYPE = "KeyPossession"
KEY_RETIREMENT_TYPE = "KeyRetirement"
KEY_REVOCATION_TYPE = "KeyRevocation"
REVOKED_FLAG = "signed-by-revoked-key"


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def key_state(key: OrganisationKey, at: datetime) -> str:
    """``active``, ``retired`` or ``revoked`` at time ``at``."""
    if key.revoked_at is not None and at >= as_utc(key.revoked_at):
        return "revoked"
    if key.retired_at is not None and at >= as_utc(key.retired_at):
        return "retired"
    return "active"


@dataclass(frozen=True)
class SignatureCheck:
    key: OrganisationKey
    created: datetime
    flags: list[tuple[str, str]]  # (kind, detail) to record on the stored object


def signature_time(proof: VerifiedProof, now: datetime) -> datetime:
    """proof.created, required, and not later than now + CLOCK_SKEW."""
    if proof.created is None:
        raise ProofTimeInvalid(
            "proof.created is missing: the node needs the signature's time to check the key's validity",
            fix="sign again with a created time (tanlian sign sets it)",
            field="proof.created",
        )
    created = as_utc(proof.created)
    if created > now + CLOCK_SKEW:
        raise ProofTimeInvalid(
            f"proof.created {created.isoformat()} is in the future (node time {now.isoformat()}, "
            f"allowed skew {int(CLOCK_SKEW.total_seconds())} s)",
            fix="correct the signing machine's clock and sign again",
            field="proof.created",
        )
    return created


def check_signature_time(
    session: Session, proof: VerifiedProof, org: Organisation | None, *, now: datetime | None = None
) -> SignatureCheck:
    """May ``proof`` sign for ``org`` (None: for whichever organisation holds the key)? Checks, in order:

    (1) the signing did:key is registered on this node;
    (2)-(5) as :func:`check_key_validity`.
    """
    signer = proof.controller
    # (1)
    key = session.get(OrganisationKey, signer)
    if key is None:
        raise key_not_registered(signer)
    created, flags = check_key_validity(
        signer,
        key.organisation_id,
        key.revoked_at,
        key.retired_at,
        proof,
        org,
        now=now,
        added_at=key.created_at,
    )
    return SignatureCheck(key, created, flags)


def key_not_registered(signer: str) -> KeyNotRegistered:
    return KeyNotRegistered(
        f"signing key {signer} is not registered to any organisation",
        field="proof.verificationMethod",
        fix="register the key for your organisation first (POST /organisations/me/keys)",
    )


def check_key_validity(
    signer: str,
    organisation_id: str,
    revoked_at: datetime | None,
    retired_at: datetime | None,
    proof: VerifiedProof,
    org: Organisation | None,
    *,
    now: datetime | None = None,
    added_at: datetime | None = None,
) -> tuple[datetime, list[tuple[str, str]]]:
    """The checks on a registered key (its columns given), in order; returns (signature time, flags):

    (2) it belongs to ``org`` when one is given;
    (3) proof.created is present, not in the future beyond the clock skew, and not before the key was added
        (``added_at``, less the clock skew): refused, not flagged — the node's key history is the only record of
        when the key became the organisation's, and whoever signed before that re-signs now with a true time;
    (4) the signature was not made at or after the key's revocation (before it: accepted and flagged);
    (5) the signature was not made at or after the key's retirement.
    """
    moment = now or datetime.now(UTC)
    # (2)
    if org is not None and organisation_id != org.id:
        raise KeyNotRegistered(
            f"signing key {signer} is not registered to the issuer {org.did}",
            field="proof.verificationMethod",
            fix="sign with a key of the issuing organisation",
        )
    # (3)
    created = signature_time(proof, moment)
    if added_at is not None and created < as_utc(added_at) - CLOCK_SKEW:
        raise KeyNotYetAdded(
            f"proof.created {created.isoformat()} is before signing key {signer} was added to the organisation "
            f"({as_utc(added_at).isoformat()})",
            fix="sign again now: a key signs for the organisation only from the time it was added",
            field="proof.created",
        )
    flags: list[tuple[str, str]] = []
    # (4)
    if revoked_at is not None:
        revoked = as_utc(revoked_at)
        if created >= revoked:
            raise KeyRevoked(
                f"signing key {signer} was revoked at {revoked.isoformat()}; the proof was created "
                f"{created.isoformat()}",
                field="proof.verificationMethod",
                fix="sign with an active key of your organisation",
            )
        flags.append(
            (REVOKED_FLAG, f"signed at {created.isoformat()} by {signer}, revoked at {revoked.isoformat()}")
        )
    # (5)
    if retired_at is not None and created >= as_utc(retired_at):
        raise KeyRetired(
            f"signing key {signer} was retired from {as_utc(retired_at).isoformat()}; the proof was "
            f"created {created.isoformat()}",
            field="proof.verificationMethod",
            fix="sign with the key that replaced it",
        )
    return created, flags


# --- key management ---------------------------------------------------------------------------------------


def _verified_management(
    document: dict[str, Any], expected_type: str, *, field: str = "proof"
) -> tuple[VerifiedProof, dict[str, Any]]:
    """Structure and proof of a key-management credential; returns (proof, credentialSubject)."""
    try:
        check_credential(document, expected_type=expected_type)
        proof = verify(document)
    except CredentialError as exc:
        raise ValidationFailed(f"{expected_type}: {exc}", field=field) from exc
    if (
        issuer_id(document) != controller_of(proof.verification_method)
        and expected_type == KEY_POSSESSION_TYPE
    ):
        raise ValidationFailed(
            "the proof of possession must be issued and signed by the new key",
            field=f"{field}.issuer",
            fix="set issuer to the new key's did and sign with it",
        )
    subject = document["credentialSubject"]
    if not isinstance(subject, dict):
        raise ValidationFailed("credentialSubject must be one object", field="credentialSubject")
    return proof, subject


def _fresh(proof: VerifiedProof, now: datetime, field: str) -> None:
    created = signature_time(proof, now)
    if created < now - MANAGEMENT_MAX_AGE:
        raise ProofTimeInvalid(
            f"the request was signed at {created.isoformat()}, more than "
            f"{int(MANAGEMENT_MAX_AGE.total_seconds() // 60)} minutes ago",
            fix="sign key-management requests just before sending them",
            field=f"{field}.created",
        )


def _authorise(
    session: Session, org: Organisation, document: dict[str, Any], expected_type: str, now: datetime
) -> tuple[OrganisationKey, dict[str, Any]]:
    """The request is issued by ``org``'s did, signed by a key of ``org`` that is active now, and fresh."""
    proof, subject = _verified_management(document, expected_type)
    if issuer_id(document) != org.did or subject.get("id") != org.did:
        raise ValidationFailed(
            f"issuer and credentialSubject.id must be the organisation's did {org.did}",
            field="issuer",
            fix="issue key-management requests in the organisation's name",
        )
    _fresh(proof, now, "proof")
    key = session.get(OrganisationKey, proof.controller)
    if key is None or key.organisation_id != org.id:
        raise KeyNotRegistered(
            f"signing key {proof.controller} is not a key of {org.did}",
            field="proof.verificationMethod",
            fix="sign with one of your organisation's active keys",
        )
    if key_state(key, now) != "active":
        raise AccessDenied(
            f"signing key {proof.controller} is {key_state(key, now)}",
            field="proof.verificationMethod",
            fix="sign with one of your organisation's active keys",
        )
    return key, subject


def _other_active(session: Session, org: Organisation, excluded: str, now: datetime) -> bool:
    keys = session.execute(select(OrganisationKey).where(OrganisationKey.organisation_id == org.id)).scalars()
    return any(k.did != excluded and key_state(k, now) == "active" and k.retired_at is None for k in keys)


def _key_of(session: Session, org: Organisation, did: str) -> OrganisationKey:
    key = session.get(OrganisationKey, did)
    if key is None or key.organisation_id != org.id:
        raise NotFound(f"{did} is not a key of {org.did}", fix="list your keys with GET /organisations/{did}")
    return key


def _log_key_event(
    node: NodeResources, session: Session, org: Organisation, did: str, event: str, **fields: Any
) -> None:
    body = {"did": did, "event": event, **fields}
    node.tlog.append(
        session, [make_entry("key", f"{did}#{event}", canonical_sha256(body), org.did, event=event)]
    )


def _parse_when(value: Any, field: str, now: datetime) -> datetime:
    if value is None:
        return now
    from node_service.credentials.xsd_datetime import parse_datetime

    try:
        return as_utc(parse_datetime(value, field_name=field))
    except CredentialError as exc:
        raise ValidationFailed(f"{field}: {exc}", field=f"credentialSubject.{field}") from exc


def add_key(node: NodeResources, org: Organisation, document: dict[str, Any]) -> OrganisationKey:
    """Add a key from a KeyAddition credential; optionally retire another key (rotation).

    (1) the KeyAddition is issued by the organisation and signed by one of its keys active now, recently;
    (2) ``credentialSubject.keyPossession`` is a KeyPossession credential issued and signed by the new key
        whose subject names the new key and this organisation (so it cannot be replayed elsewhere);
    (3) the new key is not registered yet;
    (4) with ``credentialSubject.retireKey`` {"id", "from"}: that key of the organisation is retired from
        that time (default now), provided another key stays active;
    (5) the key (and the retirement) is stored and logged in one transaction.
    """
    now = datetime.now(UTC)
    with node.tlog.lock, node.db.transaction() as session:
        live = session.get(Organisation, org.id)
        assert live is not None
        # (1)
        _, subject = _authorise(session, live, document, KEY_ADDITION_TYPE, now)
        # (2)
        possession = subject.get("keyPossession")
        if not isinstance(possession, dict):
            raise ValidationFailed(
                "credentialSubject.keyPossession is missing",
                field="credentialSubject.keyPossession",
                fix="embed a KeyPossession credential signed by the new key",
            )
        pop, pop_subject = _verified_management(
            possession, KEY_POSSESSION_TYPE, field="credentialSubject.keyPossession"
        )
        new_did = pop.controller
        if (
            not is_did_key(new_did)
            or pop_subject.get("id") != new_did
            or pop_subject.get("controller") != live.did
        ):
            raise ValidationFailed(
                f"the proof of possession must name the new key as id and {live.did} as controller",
                field="credentialSubject.keyPossession.credentialSubject",
                fix='sign {"id": <new did>, "controller": <organisation did>} with the new key',
            )
        _fresh(pop, now, "credentialSubject.keyPossession.proof")
        # (3)
        if session.get(OrganisationKey, new_did) is not None:
            raise Conflict(f"key {new_did} is already registered", fix="generate a fresh key")
        key = OrganisationKey(
            did=new_did,
            organisation_id=live.id,
            public_key_multibase=pop.public_key_multibase,
            status="active",
            created_at=now,
        )
        session.add(key)
        session.flush()
        _log_key_event(node, session, live, new_did, "added", publicKeyMultibase=pop.public_key_multibase)
        # (4)
        retire = subject.get("retireKey")
        if retire is not None:
            if not isinstance(retire, dict) or not isinstance(retire.get("id"), str):
                raise ValidationFailed(
                    "retireKey must be {id, from}",
                    field="credentialSubject.retireKey",
                    fix="name the old key",
                )
            _retire(
                node, session, live, retire["id"], _parse_when(retire.get("from"), "retireKey.from", now), now
            )
        return key


def _retire(
    node: NodeResources, session: Session, org: Organisation, did: str, when: datetime, now: datetime
) -> None:
    old = _key_of(session, org, did)
    if old.revoked_at is not None or old.retired_at is not None:
        raise Conflict(
            f"key {did} is already {'revoked' if old.revoked_at else 'retired'}", fix="nothing to do"
        )
    if when < now - CLOCK_SKEW:
        raise ValidationFailed(
            f"retirement time {when.isoformat()} is in the past",
            field="credentialSubject.from",
            fix="retire from now or a later date; use revocation for a compromised key",
        )
    if not _other_active(session, org, did, now):
        raise Conflict(
            f"key {did} is the organisation's last active key", fix="add its replacement first (rotation)"
        )
    old.retired_at = when
    old.status = "retired" if when <= now else "active"
    _log_key_event(node, session, org, did, "retired", retiredFrom=when.isoformat())


def retire_key(node: NodeResources, org: Organisation, did: str, document: dict[str, Any]) -> OrganisationKey:
    """Retire ``did`` from ``credentialSubject.from`` (default now) by a KeyRetirement credential."""
    now = datetime.now(UTC)
    with node.tlog.lock, node.db.transaction() as session:
        live = session.get(Organisation, org.id)
        assert live is not None
        _, subject = _authorise(session, live, document, KEY_RETIREMENT_TYPE, now)
        if subject.get("retireKey") != did:
            raise ValidationFailed(
                f"credentialSubject.retireKey must be {did}", field="credentialSubject.retireKey"
            )
        _retire(node, session, live, did, _parse_when(subject.get("from"), "from", now), now)
        return _key_of(session, live, did)


def revoke_key(node: NodeResources, org: Organisation, did: str, document: dict[str, Any]) -> OrganisationKey:
    """Revoke ``did`` now by a KeyRevocation credential signed by ANOTHER active key of the organisation.

    Signatures made at or after the revocation are refused from now on; submissions it signed before
    are flagged (``signed-by-revoked-key``) on their stored records.
    """
    now = datetime.now(UTC)
    with node.tlog.lock, node.db.transaction() as session:
        live = session.get(Organisation, org.id)
        assert live is not None
        signer, subject = _authorise(session, live, document, KEY_REVOCATION_TYPE, now)
        if subject.get("revokeKey") != did:
            raise ValidationFailed(
                f"credentialSubject.revokeKey must be {did}", field="credentialSubject.revokeKey"
            )
        if signer.did == did:
            raise ValidationFailed(
                "a key cannot revoke itself",
                field="proof.verificationMethod",
                fix="sign the revocation with another active key of the organisation",
            )
        key = _key_of(session, live, did)
        if key.revoked_at is not None:
            raise Conflict(
                f"key {did} was revoked at {as_utc(key.revoked_at).isoformat()}", fix="nothing to do"
            )
        key.revoked_at = now
        key.status = "revoked"
        reason = subject.get("reason") if isinstance(subject.get("reason"), str) else None
        signed = session.execute(
            select(Submission.id).where(Submission.signed_by.startswith(did + "#", autoescape=True))
        ).scalars()
        session.add_all(
            SubmissionFlag(
                submission_id=sid,
                kind=REVOKED_FLAG,
                field="proof.verificationMethod",
                detail=f"signed by {did}, revoked at {now.isoformat()}"
                + (f" ({reason[:200]})" if reason else ""),
                created_at=now,
            )
            for sid in signed
        )
        _log_key_event(node, session, live, did, "revoked", revokedAt=now.isoformat())
        session.flush()
        return key
