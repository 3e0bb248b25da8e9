"""Data Integrity ``eddsa-jcs-2022`` (W3C "Data Integrity EdDSA Cryptosuites v1.0", §3.3).

Functions are named after the spec's algorithms so they can be held against it:

- §3.3.1 Create Proof        -> :func:`create_proof` (and the convenience :func:`sign`)
- §3.3.2 Verify Proof        -> :func:`verify`
- §3.3.3 Transformation      -> :func:`transformation`      (RFC 8785 JCS of the unsecured document)
- §3.3.4 Hashing             -> :func:`hashing`             (SHA-256(proofConfig) || SHA-256(document))
- §3.3.5 Proof Configuration -> :func:`proof_configuration` (RFC 8785 JCS of the proof options)
- §3.3.6 Proof Serialization -> :func:`proof_serialization` (Ed25519 over the 64-byte hash data)
- §3.3.7 Proof Verification  -> :func:`proof_verification`

The proof's ``@context`` is copied from the document when signing (§3.3.1 step 2), and on verification
the document's ``@context`` must start with the proof's ``@context`` (§3.3.2 step 4).
``proofValue`` is the 64-byte signature as multibase base58-btc (``z…``).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .didkey import (
    controller_of,
    is_did_key,
    multibase_base58btc_decode,
    multibase_base58btc_encode,
    public_key_multibase,
    resolve_verification_method,
)
from .errors import (
    ContextMismatchError,
    CredentialError,
    InvalidSignatureError,
    MalformedKeyError,
    MalformedProofError,
    ProofExpiredError,
    ProofGenerationError,
    ProofPurposeMismatchError,
    UnresolvableVerificationMethodError,
    UnsupportedCryptosuiteError,
)
from .jcs import CanonicalizationError, canonical_members, canonicalize, join_members
from .xsd_datetime import format_datetime, parse_datetime

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "SIGNATURE_SIZE",
    "VerifiedProof",
    "create_proof",
    "format_datetime",
    "hashing",
    "parse_datetime",
    "proof_configuration",
    "proof_serialization",
    "proof_verification",
    "sign",
    "transformation",
    "verify",
]

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
SIGNATURE_SIZE = 64
HASH_SIZE = 32


@dataclass(frozen=True)
class VerifiedProof:
    """What a successful :func:`verify` established."""

    verification_method: str
    controller: str  # the verification method without its fragment (the did for did:key)
    public_key_multibase: str
    created: datetime | None
    proof: dict[str, Any]
    verified_document: dict[str, Any] = field(repr=False)  # the unsecured document that was signed
    # RFC 8785 bytes of the whole secured document (proof included), built from the members canonicalised
    # for the transformation; b"" when they could not be reused (then canonicalize the document yourself)
    canonical_document: bytes = field(default=b"", repr=False)


# --- the cryptosuite's algorithms ----------------------------------------------------------------------


def _jcs(value: Any, what: str, error: type[CredentialError], *, join: bool = False) -> bytes:
    try:
        return join_members(value) if join else canonicalize(value)
    except (CanonicalizationError, UnicodeError, RecursionError, TypeError) as exc:
        raise error(
            f"{what} cannot be canonicalized with JCS (RFC 8785)",
            str(exc),
            "use only JSON values: strings, integers within ±2^53, finite numbers, lists, objects",
        ) from exc


def _check_type_and_cryptosuite(options: Mapping[str, Any], where: str) -> None:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise UnsupportedCryptosuiteError(
            f"{where} is not an {CRYPTOSUITE} proof",
            f"type={options.get('type')!r:.40}, cryptosuite={options.get('cryptosuite')!r:.40}; "
            f"want type={PROOF_TYPE!r}, cryptosuite={CRYPTOSUITE!r}",
            "verify this credential with software that supports its cryptosuite",
        )


def transformation(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """§3.3.3: the RFC 8785 canonical UTF-8 bytes of the unsecured document."""
    _check_type_and_cryptosuite(options, "transformation options")
    return _jcs(unsecured_document, "the document", MalformedProofError)


def proof_configuration(options: Mapping[str, Any]) -> bytes:
    """§3.3.5: the RFC 8785 canonical bytes of the proof options (everything in the proof but proofValue)."""
    proof_config = dict(options)
    _check_type_and_cryptosuite(proof_config, "proof configuration")
    if "created" in proof_config:
        parse_datetime(proof_config["created"])
    return _jcs(proof_config, "the proof configuration", MalformedProofError)


def hashing(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """§3.3.4: SHA-256(canonical proof config) || SHA-256(transformed document), 64 bytes."""
    proof_config_hash = hashlib.sha256(canonical_proof_config).digest()
    transformed_document_hash = hashlib.sha256(transformed_document).digest()
    return proof_config_hash + transformed_document_hash


def proof_serialization(hash_data: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """§3.3.6: the pure Ed25519 (RFC 8032) signature over the hash data, 64 bytes."""
    if len(hash_data) != 2 * HASH_SIZE:
        raise ProofGenerationError(
            "hash data has the wrong size",
            f"got {len(hash_data)} bytes, want {2 * HASH_SIZE}",
            "use hashing()",
        )
    return private_key.sign(hash_data)


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: Ed25519PublicKey) -> bool:
    """§3.3.7: True when ``proof_bytes`` is a valid Ed25519 signature of ``hash_data``."""
    if len(hash_data) != 2 * HASH_SIZE or len(proof_bytes) != SIGNATURE_SIZE:
        return False
    try:
        public_key.verify(proof_bytes, hash_data)
    except InvalidSignature:
        return False
    return True


def create_proof(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """§3.3.1: a data integrity proof (a new map holding ``proofValue``) for ``unsecured_document``."""
    # (1) proof is a clone of the options.
    proof = copy.deepcopy(dict(options))
    # (2) copy the document's @context into the proof.
    if "@context" in unsecured_document:
        proof["@context"] = copy.deepcopy(unsecured_document["@context"])
    # (3)-(5) proof configuration, transformation, hashing.
    proof_config = proof_configuration(proof)
    transformed_data = transformation(unsecured_document, options)
    hash_data = hashing(transformed_data, proof_config)
    # (6) proof serialization; (7) proofValue as multibase base58-btc.
    proof_bytes = proof_serialization(hash_data, private_key)
    proof["proofValue"] = multibase_base58btc_encode(proof_bytes)
    # (8):
    return proof


def sign(
    unsecured: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Return a copy of ``unsecured`` secured with an ``eddsa-jcs-2022`` proof.

    ``created`` defaults to now (UTC, whole seconds). When ``verification_method`` is a did:key, it must
    name the public key of ``private_key``.
    """
    if not isinstance(unsecured, Mapping):
        raise ProofGenerationError(
            "document is not a JSON object", f"got {type(unsecured).__name__}", "sign a JSON object"
        )
    if "proof" in unsecured:
        raise ProofGenerationError(
            "document already has a proof",
            "proof sets and chains are not produced by this signer",
            "sign the document without its proof",
        )
    if not isinstance(verification_method, str) or not verification_method:
        raise ProofGenerationError(
            "verificationMethod is empty", f"got {verification_method!r:.60}", "pass did:key:z…#z…"
        )
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise ProofGenerationError(
            "proofPurpose is empty", f"got {proof_purpose!r:.60}", "pass e.g. 'assertionMethod'"
        )
    if is_did_key(verification_method):
        try:
            named = resolve_verification_method(verification_method)
        except UnresolvableVerificationMethodError as exc:
            raise ProofGenerationError(
                "verificationMethod is not a valid did:key method", str(exc), "use did:key:z…#z…"
            ) from exc
        if _raw(named) != _raw(private_key.public_key()):
            raise ProofGenerationError(
                "private key does not match the verificationMethod",
                f"the key belongs to {public_key_multibase(private_key)}, the method names "
                f"{verification_method.partition('#')[2]:.60}",
                "sign with the key file whose did is the credential's issuer",
            )
    moment = created if created is not None else datetime.now(UTC).replace(microsecond=0)
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(moment),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    document = copy.deepcopy(dict(unsecured))
    try:
        proof = create_proof(document, options, private_key)
    except MalformedProofError as exc:  # canonicalization failures of the caller's document
        raise ProofGenerationError(exc.what, exc.detail, exc.todo) from exc
    return {**document, "proof": proof}


# --- verification ----------------------------------------------------------------------------------------


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _as_list(context: Any) -> list[Any]:
    return list(context) if isinstance(context, list) else [context]


def _single_proof(secured: Mapping[str, Any]) -> Mapping[str, Any]:
    proof = secured["proof"]
    if isinstance(proof, list):
        if len(proof) != 1:
            raise MalformedProofError(
                "proof set is not supported",
                f"got {len(proof)} proofs, want exactly 1",
                "submit the credential with a single eddsa-jcs-2022 proof",
            )
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise MalformedProofError(
            "proof is not a JSON object", f"got {type(proof).__name__}", "attach the proof object as made"
        )
    return proof


def _required_string(proof: Mapping[str, Any], name: str) -> str:
    value = proof.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedProofError(
            f"proof.{name} is missing or not a string",
            f"got {value!r:.60}",
            f"every {CRYPTOSUITE} proof carries a non-empty {name}",
        )
    return value


def _resolve_public_key(verification_method: str, public_key: Ed25519PublicKey | None) -> Ed25519PublicKey:
    if not is_did_key(verification_method):
        if public_key is None:
            raise UnresolvableVerificationMethodError(
                "verificationMethod cannot be resolved",
                f"{verification_method!r:.80} is not a did:key and no public key was given",
                "pass the issuer's public key (--public-key MULTIBASE) or sign with a did:key",
            )
        return public_key
    resolved = resolve_verification_method(verification_method)
    if public_key is not None and _raw(public_key) != _raw(resolved):
        raise UnresolvableVerificationMethodError(
            "given public key differs from the did:key verificationMethod",
            f"given {public_key_multibase(public_key)}, proof names {verification_method:.80}",
            "drop --public-key for did:key credentials, or give the matching key",
        )
    return resolved


def verify(
    secured: dict[str, Any],
    *,
    public_key: Ed25519PublicKey | None = None,
    expected_proof_purpose: str = "assertionMethod",
    now: datetime | None = None,
) -> VerifiedProof:
    """Verify the ``eddsa-jcs-2022`` proof of ``secured``; raise a :class:`CredentialError` subclass if not.

    The checklist (each step has its own error):
      (1) the secured document is a JSON object with a ``proof``; a proof set must hold exactly one proof;
      (2) proof.type is DataIntegrityProof and proof.cryptosuite is eddsa-jcs-2022;
      (3) verificationMethod, proofPurpose and proofValue are non-empty strings; created and expires,
          when present, are XML Schema dateTimes;
      (4) proofPurpose is the one the verifier expects;
      (5) the proof has not expired;
      (6) proofValue is multibase base58-btc of exactly 64 bytes (spec §3.3.2 step 3);
      (7) the verification method resolves to an Ed25519 public key (did:key, or the key given);
      (8) unsecuredDocument = document without proof; proofOptions = proof without proofValue
          (spec §3.3.2 steps 1-2);
      (9) if proofOptions has an @context, the document's @context starts with it, and the unsecured
          document takes the proof's @context (spec §3.3.2 step 4);
      (10) transformation, proof configuration and hashing (spec §3.3.2 steps 5-7);
      (11) the Ed25519 signature verifies over the hash data (spec §3.3.2 step 8, §3.3.7).
    """
    # (1):
    if not isinstance(secured, Mapping) or "proof" not in secured:
        raise MalformedProofError(
            "document has no proof",
            "a secured document is a JSON object with a 'proof' member",
            "sign the document first (tanlian sign)",
        )
    proof = _single_proof(secured)
    # (2):
    _check_type_and_cryptosuite(proof, "proof")
    # (3):
    verification_method = _required_string(proof, "verificationMethod")
    proof_purpose = _required_string(proof, "proofPurpose")
    proof_value = _required_string(proof, "proofValue")
    created = parse_datetime(proof["created"]) if "created" in proof else None
    expires = parse_datetime(proof["expires"], field_name="expires") if "expires" in proof else None
    # (4):
    if proof_purpose != expected_proof_purpose:
        raise ProofPurposeMismatchError(
            "proof purpose mismatch",
            f"got {proof_purpose!r:.60}, want {expected_proof_purpose!r}",
            "sign the credential for the expected purpose",
        )
    # (5):
    if expires is not None and expires <= (now or datetime.now(UTC)):
        raise ProofExpiredError(
            "proof has expired", f"expires {proof['expires']}", "ask the issuer for a fresh credential"
        )
    # (6):
    try:
        proof_bytes = multibase_base58btc_decode(proof_value, field="proof.proofValue")
    except MalformedKeyError as exc:
        raise MalformedProofError(exc.what, exc.detail, exc.todo) from exc
    if len(proof_bytes) != SIGNATURE_SIZE:
        raise MalformedProofError(
            "proof.proofValue has the wrong size",
            f"got {len(proof_bytes)} bytes after decoding, want {SIGNATURE_SIZE}",
            "attach the Ed25519 signature exactly as produced",
        )
    # (7):
    key = _resolve_public_key(verification_method, public_key)
    # (8):
    unsecured_document = {k: v for k, v in secured.items() if k != "proof"}
    proof_options = {k: v for k, v in proof.items() if k != "proofValue"}
    # (9):
    if "@context" in proof_options:
        want = _as_list(proof_options["@context"])
        got = _as_list(secured.get("@context", []))
        if got[: len(want)] != want:
            raise ContextMismatchError(
                "document @context does not start with the proof's @context",
                f"proof has {len(want)} context value(s), the document's first {len(want)} differ",
                "do not edit the credential's @context after signing",
            )
        unsecured_document["@context"] = proof_options["@context"]
    # (10): the transformation (§3.3.3) member by member, so that the members serve the canonical form of
    # the secured document too (returned as canonical_document)
    _check_type_and_cryptosuite(proof_options, "transformation options")
    members = _jcs_members(unsecured_document)
    transformed_data = _jcs(members, "the document", MalformedProofError, join=True)
    proof_config = proof_configuration(proof_options)
    hash_data = hashing(transformed_data, proof_config)
    # (11):
    if not proof_verification(hash_data, proof_bytes, key):
        raise InvalidSignatureError(
            "signature does not verify",
            f"the {CRYPTOSUITE} proof by {verification_method:.80} does not match the document",
            "the credential was changed after signing or signed with another key; obtain the original",
        )
    return VerifiedProof(
        verification_method=verification_method,
        controller=controller_of(verification_method),
        public_key_multibase=public_key_multibase(key),
        created=created,
        proof=dict(proof),
        verified_document=unsecured_document,
        canonical_document=_secured_canonical(secured, unsecured_document, members),
    )


def _jcs_members(document: Mapping[str, Any]) -> dict[str, bytes]:
    try:
        return canonical_members(dict(document))
    except (CanonicalizationError, UnicodeError, RecursionError, TypeError) as exc:
        raise MalformedProofError(
            "the document cannot be canonicalized with JCS (RFC 8785)",
            str(exc),
            "use only JSON values: strings, integers within ±2^53, finite numbers, lists, objects",
        ) from exc


def _secured_canonical(
    secured: Mapping[str, Any], unsecured: Mapping[str, Any], members: dict[str, bytes]
) -> bytes:
    """The canonical bytes of ``secured`` from the unsecured document's members, when those are the secured
    document's (the proof's @context did not replace the document's); b"" otherwise."""
    if "@context" in secured and unsecured.get("@context") != secured["@context"]:
        return b""
    try:
        return join_members({**members, "proof": canonicalize(secured["proof"])})
    except (CanonicalizationError, UnicodeError, RecursionError, TypeError):
        return b""
