"""Organisations: self-signed registration (USCC, IDIS prefixes, roles, contacts), API tokens (hashed at
rest), who a token belongs to, and the public profile."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identifier_resolver import IdentifierError, parse_handle, parse_uscc
from node_service.credentials.didkey import controller_of
from node_service.credentials.eddsa_jcs_2022 import verify
from node_service.credentials.errors import CredentialError
from node_service.db.models import Organisation, OrganisationKey
from node_service.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from node_service.log.append import canonical_sha256, make_entry
from node_service.services.context import NodeResources
from node_service.services.organisations.handles import prefix_owner
from node_service.services.organisations.keys import as_utc, key_state
from node_service.services.organisations.models import OrganisationContact, OrganisationPrefix
from node_service.services.organisations.names import check_name_text
from node_service.services.organisations.ownership import delegations_granted_by

__all__ = [
    "MAX_CONTACTS",
    "MAX_PREFIXES",
    "REGISTRATION_TYPE",
    "ROLES",
    "Registered",
    "active_key",
    "authenticate",
    "authenticate_token",
    "hash_token",
    "organisation_by_did",
    "profile_of",
    "public_profile",
    "register_organisation",
    "token_owns_prefix",
]

REGISTRATION_TYPE = "OrganisationRegistration"
ROLES = frozenset({"supplier", "buyer", "exporter", "auditor"})
MAX_PREFIXES = 20
MAX_CONTACTS = 20
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}")
_PHONE = re.compile(r"\+?[0-9 ()-]{5,30}")


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


def _uscc(subject: dict[str, Any]) -> str | None:
    """The unified social credit code, check character verified (GB 32100-2015), or None."""
    raw = subject.get("uscc")
    if raw is None:
        return None
    try:
        return parse_uscc(raw).code
    except IdentifierError as exc:
        raise ValidationFailed(
            f"uscc: {exc.detail} (rule {exc.rule})", fix=exc.fix, field="credentialSubject.uscc"
        ) from exc


def _prefixes(subject: dict[str, Any]) -> list[str]:
    """IDIS enterprise prefixes ``88.<industry>.<enterprise>``, syntax checked, no duplicates."""
    raw = subject.get("idisPrefixes", [])
    if not isinstance(raw, list) or len(raw) > MAX_PREFIXES:
        raise ValidationFailed(
            f"idisPrefixes must be a list of at most {MAX_PREFIXES} prefixes",
            field="credentialSubject.idisPrefixes",
            fix='give e.g. ["88.118.8"]',
        )
    out: list[str] = []
    for i, item in enumerate(raw):
        field = f"credentialSubject.idisPrefixes[{i}]"
        try:
            handle = parse_handle(f"{item}/x") if isinstance(item, str) and "/" not in item else None
        except IdentifierError as exc:
            raise ValidationFailed(
                f"{item!r}: {exc.detail} (rule {exc.rule})", fix=exc.fix, field=field
            ) from exc
        idis = handle.idis if handle is not None else None
        if handle is None or idis is None or idis.enterprise is None:
            raise ValidationFailed(
                f"{item!r} is not an IDIS enterprise prefix 88.<industry>.<enterprise>",
                field=field,
                fix="copy the enterprise prefix exactly as issued by the secondary node, e.g. 88.118.8",
            )
        if handle.prefix_key in {p.upper() for p in out}:
            raise ValidationFailed(f"{item!r} is listed twice", field=field, fix="list each prefix once")
        out.append(handle.prefix)
    return out


def _contacts(subject: dict[str, Any]) -> list[dict[str, str | None]]:
    raw = subject.get("contacts", [])
    if not isinstance(raw, list) or len(raw) > MAX_CONTACTS:
        raise ValidationFailed(
            f"contacts must be a list of at most {MAX_CONTACTS} objects", field="credentialSubject.contacts"
        )
    out = []
    for i, item in enumerate(raw):
        field = f"credentialSubject.contacts[{i}]"
        if not isinstance(item, dict) or not set(item) <= {"name", "role", "email", "phone"}:
            raise ValidationFailed(
                "a contact is an object with name, role, email and/or phone",
                field=field,
                fix='give {"name": "…", "email": "…"}',
            )
        limits = {"name": 200, "role": 100, "email": 254, "phone": 40}
        for name, value in item.items():
            if not isinstance(value, str) or not value.strip() or len(value) > limits[name]:
                raise ValidationFailed(
                    f"{name} must be non-empty text of at most {limits[name]} characters",
                    field=f"{field}.{name}",
                )
        if "email" in item and not _EMAIL.fullmatch(item["email"]):
            raise ValidationFailed(f"{item['email']!r} is not an e-mail address", field=f"{field}.email")
        if "phone" in item and not _PHONE.fullmatch(item["phone"]):
            raise ValidationFailed(f"{item['phone']!r} is not a phone number", field=f"{field}.phone")
        if not (item.get("email") or item.get("phone")):
            raise ValidationFailed("a contact needs an email or a phone", field=field)
        out.append({k: item.get(k) for k in ("name", "role", "email", "phone")})
    return out


def register_organisation(node: NodeResources, document: dict[str, Any]) -> Registered:
    """Register an organisation from a registration document signed (eddsa-jcs-2022) by its own key.

    Checks, in order:
      (1) the document's type names OrganisationRegistration;
      (2) the proof verifies; the signing did:key is the issuer and the credentialSubject.id (proof of
          possession of the key being registered);
      (3) the subject has a name (zh or en) of plain text (no control or bidi characters, .names) and known
          roles; the USCC, when given, passes the GB 32100 check character; IDIS prefixes are enterprise
          prefixes; contacts are well formed;
      (4) neither the key, nor the USCC, nor any prefix is registered already.
    Organisation, first key, prefixes and contacts are stored with their log entries in one transaction.
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
            "name needs a Chinese (zh) or English (en) value",
            fix='give {"zh": "…", "en": "…"}',
            field="credentialSubject.name",
        )
    if not all(isinstance(v, str) and len(v) <= 200 for v in name.values() if v is not None):
        raise ValidationFailed(
            "name values must be text of at most 200 characters", field="credentialSubject.name"
        )
    check_name_text(name)
    roles = subject.get("roles") or []
    if not isinstance(roles, list) or not roles or not set(roles) <= ROLES:
        raise ValidationFailed(
            f"roles must be a non-empty list drawn from {sorted(ROLES)}", field="credentialSubject.roles"
        )
    uscc = _uscc(subject)
    prefixes = _prefixes(subject)
    contacts = _contacts(subject)
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
        for i, prefix in enumerate(prefixes):
            if session.get(OrganisationPrefix, prefix.upper()) is not None:
                raise Conflict(
                    f"IDIS prefix {prefix} is registered to another organisation",
                    fix="register only the prefixes issued to you",
                    field=f"credentialSubject.idisPrefixes[{i}]",
                )
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
        session.add_all(
            OrganisationPrefix(prefix_key=p.upper(), prefix=p, organisation_id=org.id, created_at=now)
            for p in prefixes
        )
        session.add_all(OrganisationContact(organisation_id=org.id, **c) for c in contacts)
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


def authenticate_token(node: NodeResources, token: str | None) -> Organisation:
    """The organisation an API token belongs to, detached from the session (Unauthenticated otherwise)."""
    with node.db.transaction() as session:
        org = authenticate(session, token)
        session.expunge(org)
        return org


def token_owns_prefix(node: NodeResources, token: str, prefix: str) -> bool:
    """Whether the organisation of an API token registered the IDIS ``prefix`` (Unauthenticated when the token
    belongs to nobody)."""
    with node.db.transaction() as session:
        org = authenticate(session, token)
        return prefix_owner(session, prefix) == org.id


def organisation_by_did(session: Session, did: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.did == did)).scalar_one_or_none()


def active_key(session: Session, did: str) -> OrganisationKey | None:
    """The key ``did`` when it is usable now (not retired, not revoked)."""
    key = session.get(OrganisationKey, did)
    return key if key is not None and key_state(key, datetime.now(UTC)) == "active" else None


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat().replace("+00:00", "Z") if moment is not None else None


def public_profile(session: Session, did: str) -> dict[str, Any]:
    """What anyone may know about an organisation: names, USCC, roles, prefixes (and the organisations they are
    delegated to), contacts, key history."""
    org = organisation_by_did(session, did)
    if org is None:
        raise NotFound(f"no organisation with did {did}", fix="give the organisation's first did:key")
    now = datetime.now(UTC)
    keys = session.execute(
        select(OrganisationKey)
        .where(OrganisationKey.organisation_id == org.id)
        .order_by(OrganisationKey.created_at, OrganisationKey.did)
    ).scalars()
    prefixes = session.execute(
        select(OrganisationPrefix.prefix)
        .where(OrganisationPrefix.organisation_id == org.id)
        .order_by(OrganisationPrefix.prefix_key)
    ).scalars()
    contacts = session.execute(
        select(OrganisationContact)
        .where(OrganisationContact.organisation_id == org.id)
        .order_by(OrganisationContact.id)
    ).scalars()
    return {
        "did": org.did,
        "name": {"zh": org.name_zh, "en": org.name_en},
        "uscc": org.uscc,
        "roles": list(org.roles),
        "idisPrefixes": list(prefixes),
        "prefixDelegates": delegations_granted_by(session, org.id),
        "contacts": [
            {
                k: v
                for k, v in (("name", c.name), ("role", c.role), ("email", c.email), ("phone", c.phone))
                if v
            }
            for c in contacts
        ],
        "keys": [
            {
                "id": k.did,
                "publicKeyMultibase": k.public_key_multibase,
                "status": key_state(k, now),
                "added": _iso(k.created_at),
                "retiredFrom": _iso(k.retired_at),
                "revokedAt": _iso(k.revoked_at),
            }
            for k in keys
        ],
        "registered": _iso(org.created_at),
    }


def profile_of(node: NodeResources, did: str) -> dict[str, Any]:
    """:func:`public_profile` in a transaction of its own."""
    with node.db.transaction() as session:
        return public_profile(session, did)
