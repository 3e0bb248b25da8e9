"""Verifiable Credentials Data Model v2.0: building activity-data credentials and structural checks.

The checks here are the VC 2.0 "MUST"s that matter before a proof is verified (§4 Basic Concepts):
``@context`` is a list whose first item is the v2 context URL; ``type`` contains
``VerifiableCredential``; ``issuer`` is a URL or an object with an ``id`` URL; ``credentialSubject`` is an
object or a non-empty list of objects; ``id``, when present, is a URL; ``validFrom`` / ``validUntil``,
when present, are XML Schema dateTimeStamps (with a time zone) and ``validFrom <= validUntil``.

:func:`load_document` parses JSON for signing and verification with documented limits: at most
``MAX_DOCUMENT_BYTES`` bytes, UTF-8, one top-level object, no duplicate member names (RFC 8785 and
RFC 8259 §4 leave them ambiguous), no NaN/Infinity, nesting at most ``MAX_DEPTH`` levels.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import eddsa_jcs_2022
from .didkey import is_did_key, resolve_did_key, verification_method_id
from .errors import MalformedCredentialError, MalformedKeyError, MalformedProofError
from .json_nesting import nests_deeper_than

__all__ = [
    "ACTIVITY_DATA_CREDENTIAL_TYPE",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "VC_V2_CONTEXT",
    "VERIFIABLE_CREDENTIAL_TYPE",
    "VerifiedCredential",
    "build_credential",
    "check_credential",
    "issuer_id",
    "load_document",
    "looks_like_credential",
    "sign_credential",
    "verify_credential",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VERIFIABLE_CREDENTIAL_TYPE = "VerifiableCredential"
ACTIVITY_DATA_CREDENTIAL_TYPE = "ActivityDataCredential"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
_DATETIME_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class VerifiedCredential:
    """A credential whose structure, proof and issuer binding were checked."""

    credential: dict[str, Any]
    issuer: str
    proof: eddsa_jcs_2022.VerifiedProof


# --- parsing -----------------------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        names = [key for key, _ in pairs]
        duplicate = next(key for index, key in enumerate(names) if key in names[:index])
        raise MalformedCredentialError(
            "JSON has a duplicate member name",
            f"{duplicate!r:.60} appears twice",
            "keep one of the two members",
        )
    return result


def _no_constants(name: str) -> Any:
    raise MalformedCredentialError(
        "JSON has a non-standard number", f"{name} is not JSON (RFC 8259)", "use a finite number or null"
    )


def load_document(data: bytes | str) -> dict[str, Any]:
    """Parse one JSON object under the module's limits (see the module docstring)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise MalformedCredentialError(
            "document is too large",
            f"got {len(raw)} bytes, want at most {MAX_DOCUMENT_BYTES}",
            "move bulky evidence out of the credential and reference it by CID",
        )
    # before parsing: the C parser recurses once per level (node_service.credentials.json_nesting)
    if nests_deeper_than(raw, MAX_DEPTH):
        raise MalformedCredentialError(
            "document is nested too deeply", f"got more than {MAX_DEPTH} levels", "flatten the document"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedCredentialError("document is not UTF-8", str(exc), "save the file as UTF-8") from exc
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise MalformedCredentialError(
            "document is not valid JSON",
            f"{exc.msg} at line {exc.lineno} column {exc.colno}",
            "fix the JSON syntax",
        ) from exc
    except RecursionError as exc:
        raise MalformedCredentialError(
            "document is nested too deeply", "the JSON parser's recursion limit was hit", "flatten it"
        ) from exc
    if not isinstance(value, dict):
        raise MalformedCredentialError(
            "document is not a JSON object", f"top level is {type(value).__name__}", "give one JSON object"
        )
    return value


# --- building ----------------------------------------------------------------------------------------


def build_credential(
    subject: Mapping[str, Any],
    issuer: str,
    *,
    credential_id: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    credential_type: str = ACTIVITY_DATA_CREDENTIAL_TYPE,
) -> dict[str, Any]:
    """An unsigned VC 2.0 whose ``credentialSubject`` is ``subject`` (e.g. an activity-data document)."""
    if not isinstance(subject, Mapping):
        raise MalformedCredentialError(
            "credentialSubject is not a JSON object", f"got {type(subject).__name__}", "pass a JSON object"
        )
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": credential_id if credential_id is not None else f"urn:uuid:{uuid.uuid4()}",
        "type": [VERIFIABLE_CREDENTIAL_TYPE, credential_type],
        "issuer": issuer,
        "validFrom": eddsa_jcs_2022.format_datetime(
            valid_from if valid_from is not None else datetime.now(UTC).replace(microsecond=0)
        ),
        "credentialSubject": dict(subject),
    }
    if valid_until is not None:
        credential["validUntil"] = eddsa_jcs_2022.format_datetime(valid_until)
    check_credential(credential, expected_type=credential_type)
    return credential


def looks_like_credential(document: Mapping[str, Any]) -> bool:
    """True when ``document`` presents itself as a credential (has @context and a type list with VC)."""
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return "@context" in document and VERIFIABLE_CREDENTIAL_TYPE in types


def issuer_id(credential: Mapping[str, Any]) -> str:
    """The issuer URL, whether ``issuer`` is a string or an object with ``id``."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(value, str) or not _URL.fullmatch(value):
        raise MalformedCredentialError(
            "issuer is missing or not a URL",
            f"got {issuer!r:.80}",
            "set issuer to the issuing organisation's did:key",
        )
    return value


# --- structural checks -------------------------------------------------------------------------------------


def _check_datetime_stamp(credential: Mapping[str, Any], name: str) -> datetime | None:
    if name not in credential:
        return None
    value = credential[name]
    if not isinstance(value, str) or not _DATETIME_STAMP.fullmatch(value):
        raise MalformedCredentialError(
            f"{name} is not an XML Schema dateTimeStamp",
            f"got {value!r:.60}",
            "use a date and time with a time zone, e.g. 2025-01-31T12:00:00Z",
        )
    try:
        return eddsa_jcs_2022.parse_datetime(value, field_name=name)
    except MalformedProofError as exc:
        raise MalformedCredentialError(f"{name} is not a real date and time", exc.detail, exc.todo) from exc


def check_credential(credential: Mapping[str, Any], *, expected_type: str | None = None) -> None:
    """Structural VC 2.0 checks, in order; raise :class:`MalformedCredentialError` at the first failure.

    (1) ``@context`` is a list whose first item is the VC 2.0 context; (2) ``type`` is a list (or
    string) containing ``VerifiableCredential`` and, when asked, ``expected_type``; (3) ``id``, when
    present, is a URL; (4) ``issuer`` is a URL or an object with an ``id`` URL; (5) ``credentialSubject``
    is an object or a non-empty list of objects; (6) ``validFrom``/``validUntil`` are dateTimeStamps in
    order.
    """
    if not isinstance(credential, Mapping):
        raise MalformedCredentialError(
            "credential is not a JSON object", f"got {type(credential).__name__}", "give a JSON object"
        )
    # (1):
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT:
        raise MalformedCredentialError(
            "@context is not a VC 2.0 context",
            f"got {context!r:.80}",
            f"make @context a list whose first item is {VC_V2_CONTEXT!r}",
        )
    # (2):
    types = credential.get("type")
    type_list = [types] if isinstance(types, str) else types
    if not isinstance(type_list, list) or not all(isinstance(t, str) for t in type_list):
        raise MalformedCredentialError(
            "type is not a list of strings", f"got {types!r:.80}", f"use [{VERIFIABLE_CREDENTIAL_TYPE!r}, …]"
        )
    for wanted in (VERIFIABLE_CREDENTIAL_TYPE, expected_type):
        if wanted is not None and wanted not in type_list:
            raise MalformedCredentialError(
                f"type lacks {wanted}", f"got {type_list!r:.80}", f"add {wanted!r} to type"
            )
    # (3):
    if "id" in credential and not (isinstance(credential["id"], str) and _URL.fullmatch(credential["id"])):
        raise MalformedCredentialError(
            "id is not a URL", f"got {credential['id']!r:.80}", "use urn:uuid:… or omit id"
        )
    # (4):
    issuer_id(credential)
    # (5):
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or not all(isinstance(s, Mapping) and s for s in subjects):
        raise MalformedCredentialError(
            "credentialSubject is missing or empty",
            f"got {subject!r:.80}",
            "put the activity data in credentialSubject as a non-empty JSON object",
        )
    # (6):
    valid_from = _check_datetime_stamp(credential, "validFrom")
    valid_until = _check_datetime_stamp(credential, "validUntil")
    if valid_from and valid_until and valid_until < valid_from:
        raise MalformedCredentialError(
            "validUntil is before validFrom",
            f"{credential['validUntil']} < {credential['validFrom']}",
            "swap or correct the validity dates",
        )


# --- signing and verification of credentials -------------------------------------------------------------


def sign_credential(
    credential: dict[str, Any], private_key: Ed25519PrivateKey, *, created: datetime | None = None
) -> dict[str, Any]:
    """Check ``credential``, require its issuer to be the key's did:key, and add an eddsa-jcs-2022 proof."""
    check_credential(credential)
    method = verification_method_id(private_key)
    did = method.partition("#")[0]
    if issuer_id(credential) != did:
        raise MalformedCredentialError(
            "issuer is not the signing key's did",
            f"issuer {issuer_id(credential)!r:.80}, key {did}",
            "sign with the issuer's key, or set issuer to the key's did",
        )
    return eddsa_jcs_2022.sign(credential, private_key, method, created=created)


def verify_credential(
    credential: dict[str, Any],
    *,
    public_key: Ed25519PublicKey | None = None,
    expected_type: str | None = None,
    now: datetime | None = None,
) -> VerifiedCredential:
    """Structure, then proof, then issuer binding.

    (1) :func:`check_credential`; (2) :func:`eddsa_jcs_2022.verify` for ``assertionMethod``; (3) the
    proof's verification method is controlled by the issuer (its URL without fragment equals the issuer
    id) — without this anyone could sign a credential naming someone else as issuer; (4) for a did:key
    issuer, the issuer itself decodes to a valid key.
    """
    # (1):
    check_credential(credential, expected_type=expected_type)
    # (2):
    verified = eddsa_jcs_2022.verify(credential, public_key=public_key, now=now)
    # (3):
    issuer = issuer_id(credential)
    if verified.controller != issuer:
        raise MalformedCredentialError(
            "proof was not made by the issuer",
            f"verification method controller {verified.controller!r:.80} differs from issuer {issuer!r:.80}",
            "have the issuer sign the credential with its own key",
        )
    # (4):
    if is_did_key(issuer):
        try:
            resolve_did_key(issuer)
        except MalformedKeyError as exc:
            raise MalformedCredentialError("issuer is not a valid did:key", exc.detail, exc.todo) from exc
    return VerifiedCredential(credential=credential, issuer=issuer, proof=verified)
