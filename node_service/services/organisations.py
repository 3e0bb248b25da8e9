"""Organisations: self-signed registration, API tokens (hashed at rest), and who a token belongs to."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.credentials.didkey import controller_of
from node_service.credentials.eddsa_jcs_2022 import verify
from node_service.credentials.errors import CredentialError
from node_service.db.models import Organisation, OrganisationKey
from node_service.errors import Conflict, Unauthenticated, ValidationFailed
from node_service.runtime import Node
from node_service.services.log import canonical_sha256, make_entry

__all__ = ["REGISTRATION_TYPE", "Registered", "authenticate", "hash_token", "register_organisation"]

REGISTRATION_TYPE = "OrganisationRegistration"
ROLES = frozenset({"supplier", "buyer", "exporter", "auditor"})


@dataclass(frozen=True)
class Registered:
    organisation: Organisation
    api_token: str  # shown once; only its hash is stored


def hash_token(token: str) -> str:
    """Tokens are 256-bit random secrets, so a plain SHA-256 is a sound at-rest hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def _subject(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ValidationFailed(
            "credentialSubject is missing or not an object",
            fix="put the organisation's details in credentialSubject",
            field="credentialSubject",
        )
    return subject


def register_organisation(node: Node, document: dict[str, Any]) -> Registered:
    """Register an organisation from a registration document signed (eddsa-jcs-2022) by its own key.

    Checks, in order:
      (1) the document's type names OrganisationRegistration;
      (2) the proof verifies; the signing did:key is the issuer and the credentialSubject.id (proof of
          possession of the key being registered);
      (3) the subject has a name (zh or en) and known roles;
      (4) neither the key nor the USCC is registered already.
    """
    # (1)
    types = document.get("type")
    if not isinstance(types, list) or REGISTRATION_TYPE not in types:
        raise ValidationFailed(
            f"type must include {REGISTRATION_TYPE!r}", fix="sign a registration document", field="type"
        )
    # (2)
    try:
        proof = verify(document)
    except CredentialError as exc:
        raise ValidationFailed(f"registration proof invalid: {exc}", field="proof") from exc
    did = controller_of(proof.verification_method)
    subject = _subject(document)
    if document.get("issuer") != did or subject.get("id") != did:
        raise ValidationFailed(
            "issuer and credentialSubject.id must both be the did:key that signed the registration",
            fix="sign the registration with the key you register",
            field="issuer",
        )
    # (3)
    name = subject.get("name") or {}
    if not isinstance(name, dict) or not (name.get("zh") or name.get("en")):
        raise ValidationFailed(
            "name needs a Chinese (zh) or English (en) value", fix='give {"zh": "…", "en": "…"}', field="name"
        )
    roles = subject.get("roles") or []
    if not isinstance(roles, list) or not roles or not set(roles) <= ROLES:
        raise ValidationFailed(
            f"roles must be a non-empty list drawn from {sorted(ROLES)}", field="credentialSubject.roles"
        )
    uscc = subject.get("uscc")
    # (4)
    token = "tl_" + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with node.tlog.lock, node.db.transaction() as session:
        if session.get(OrganisationKey, did) is not None:
            raise Conflict(
                f"key {did} is already registered", fix="generate a new key for a new organisation"
            )
        if uscc and session.execute(select(Organisation).where(Organisation.uscc == uscc)).first():
            raise Conflict(f"USCC {uscc} is already registered", fix="sign in as that organisation instead")
        org = Organisation(
            id=str(uuid.uuid4()),
            did=did,
            name_zh=name.get("zh"),
            name_en=name.get("en"),
            uscc=uscc,
            roles=sorted(set(roles)),
            api_token_hash=hash_token(token),
            created_at=now,
        )
        session.add(org)
        session.flush()
        session.add(
            OrganisationKey(
                did=did,
                organisation_id=org.id,
                public_key_multibase=proof.public_key_multibase,
                status="active",
                created_at=now,
            )
        )
        node.tlog.append(
            session,
            [
                make_entry("organisation", org.id, canonical_sha256(document), did),
                make_entry("key", f"{did}#added", canonical_sha256({"did": did, "status": "active"}), did),
            ],
        )
    return Registered(org, token)


def authenticate(session: Session, token: str | None) -> Organisation:
    if not token:
        raise Unauthenticated("no API token", fix="send Authorization: Bearer <token from registration>")
    org = session.execute(
        select(Organisation).where(Organisation.api_token_hash == hash_token(token))
    ).scalar_one_or_none()
    if org is None:
        raise Unauthenticated("unknown API token", fix="use the token returned at registration")
    return org


def organisation_by_did(session: Session, did: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.did == did)).scalar_one_or_none()


def active_key(session: Session, did: str) -> OrganisationKey | None:
    key = session.get(OrganisationKey, did)
    return key if key is not None and key.status == "active" else None
