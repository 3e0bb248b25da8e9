"""Sign/verify behaviour of eddsa-jcs-2022: each verification step's error, and tampering of any byte."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from node_service.credentials import didkey, eddsa_jcs_2022, errors, vc

_KEY = Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)
_SUBJECT = {
    "productId": "88.101.1/ALU-INGOT-99.7",
    "reportingPeriod": {"start": "2025-01-01", "end": "2025-12-31"},
    "site": {"name": "昆明电解铝厂", "gridRegion": "CN-SOUTH"},
    "inputs": [{"material": "06-01-GTIN-09506000134352", "amount": 1.92, "unit": "t"}],
}


def _signed(created: datetime | None = None) -> dict[str, Any]:
    credential = vc.build_credential(
        _SUBJECT,
        didkey.did_key(_KEY),
        credential_id="urn:uuid:0f6f4bd6-6c1d-4b62-9a43-6f0b3cc5a001",
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return eddsa_jcs_2022.sign(
        credential,
        _KEY,
        didkey.verification_method_id(_KEY),
        created=created or datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


SIGNED = _signed()


def test_round_trip_returns_verified_proof():
    verified = eddsa_jcs_2022.verify(copy.deepcopy(SIGNED))
    assert verified.controller == didkey.did_key(_KEY)
    assert verified.verification_method == didkey.verification_method_id(_KEY)
    assert verified.public_key_multibase == didkey.public_key_multibase(_KEY)
    assert verified.created == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert SIGNED["proof"]["@context"] == SIGNED["@context"]  # spec §3.3.1 step 2


def test_default_created_is_now_in_whole_seconds():
    credential = vc.build_credential(_SUBJECT, didkey.did_key(_KEY))
    signed = eddsa_jcs_2022.sign(credential, _KEY, didkey.verification_method_id(_KEY))
    created = eddsa_jcs_2022.parse_datetime(signed["proof"]["created"])
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    assert signed["proof"]["created"].endswith("Z") and "." not in signed["proof"]["created"]


def test_sign_refuses_naive_created_wrong_key_existing_proof_and_non_json():
    method = didkey.verification_method_id(_KEY)
    credential = vc.build_credential(_SUBJECT, didkey.did_key(_KEY))
    with pytest.raises(errors.ProofGenerationError, match="time zone"):
        eddsa_jcs_2022.sign(credential, _KEY, method, created=datetime(2026, 1, 1))
    with pytest.raises(errors.ProofGenerationError, match="does not match the verificationMethod"):
        eddsa_jcs_2022.sign(credential, Ed25519PrivateKey.generate(), method)
    with pytest.raises(errors.ProofGenerationError, match="already has a proof"):
        eddsa_jcs_2022.sign(SIGNED, _KEY, method)
    with pytest.raises(errors.ProofGenerationError, match="JCS"):
        eddsa_jcs_2022.sign({**credential, "x": float("nan")}, _KEY, method)
    with pytest.raises(errors.ProofGenerationError, match="JCS"):
        eddsa_jcs_2022.sign({**credential, "x": 2**60}, _KEY, method)


def _with_proof(**changes: Any) -> dict[str, Any]:
    secured = copy.deepcopy(SIGNED)
    for name, value in changes.items():
        if value is None:
            del secured["proof"][name]
        else:
            secured["proof"][name] = value
    return secured


@pytest.mark.parametrize(
    ("secured", "error", "message"),
    [
        ({k: v for k, v in SIGNED.items() if k != "proof"}, errors.MalformedProofError, "no proof"),
        ({**SIGNED, "proof": "z123"}, errors.MalformedProofError, "not a JSON object"),
        ({**SIGNED, "proof": [SIGNED["proof"]] * 2}, errors.MalformedProofError, "proof set"),
        (_with_proof(cryptosuite="eddsa-rdfc-2022"), errors.UnsupportedCryptosuiteError, "eddsa-rdfc-2022"),
        (
            _with_proof(type="Ed25519Signature2020"),
            errors.UnsupportedCryptosuiteError,
            "Ed25519Signature2020",
        ),
        (_with_proof(proofValue=None), errors.MalformedProofError, "proofValue is missing"),
        (_with_proof(verificationMethod=7), errors.MalformedProofError, "verificationMethod"),
        (_with_proof(created="yesterday"), errors.MalformedProofError, "created"),
        (_with_proof(created="2026-02-30T00:00:00Z"), errors.MalformedProofError, "real date"),
        (_with_proof(proofPurpose="authentication"), errors.ProofPurposeMismatchError, "authentication"),
        (_with_proof(expires="2020-01-01T00:00:00Z"), errors.ProofExpiredError, "expired"),
        (
            _with_proof(proofValue="u" + SIGNED["proof"]["proofValue"][1:]),
            errors.MalformedProofError,
            "header",
        ),
        (_with_proof(proofValue="z0OIl"), errors.MalformedProofError, "base58"),
        (_with_proof(proofValue="z" + "2" * 30), errors.MalformedProofError, "wrong size"),
        (
            _with_proof(verificationMethod="https://example.org/issuers/1#key-1"),
            errors.UnresolvableVerificationMethodError,
            "not a did:key",
        ),
        (
            _with_proof(verificationMethod=didkey.did_key(_KEY)),
            errors.UnresolvableVerificationMethodError,
            "no fragment",
        ),
        ({**SIGNED, "@context": ["https://example.org/other/v1"]}, errors.ContextMismatchError, "@context"),
        (_with_proof(created="2026-01-02T03:04:06Z"), errors.InvalidSignatureError, "does not verify"),
        ({**SIGNED, "validFrom": "2026-01-01T00:00:01Z"}, errors.InvalidSignatureError, "does not verify"),
    ],
)
def test_each_verification_step_has_its_own_error(secured: dict[str, Any], error: type, message: str):
    with pytest.raises(error, match=message) as caught:
        eddsa_jcs_2022.verify(secured)
    assert isinstance(caught.value, errors.CredentialError)
    assert " — " in str(caught.value)  # "what failed: detail — what to do"


def test_proof_set_of_one_and_appended_context_verify_as_the_spec_says():
    assert eddsa_jcs_2022.verify({**SIGNED, "proof": [SIGNED["proof"]]})
    # §3.3.2 step 4: the document's @context must *start with* the proof's; later entries are not signed
    appended = {**SIGNED, "@context": [*SIGNED["@context"], "https://example.org/extra/v1"]}
    assert eddsa_jcs_2022.verify(appended).verified_document["@context"] == SIGNED["@context"]


def test_explicit_public_key_for_non_did_key_methods():
    credential = {**vc.build_credential(_SUBJECT, "https://example.org/issuers/1"), "id": "urn:uuid:1"}
    signed = eddsa_jcs_2022.sign(credential, _KEY, "https://example.org/issuers/1#key-1")
    verified = eddsa_jcs_2022.verify(signed, public_key=_KEY.public_key())
    assert verified.controller == "https://example.org/issuers/1"
    with pytest.raises(errors.InvalidSignatureError):
        eddsa_jcs_2022.verify(signed, public_key=Ed25519PrivateKey.generate().public_key())
    with pytest.raises(errors.UnresolvableVerificationMethodError, match="differs"):
        eddsa_jcs_2022.verify(SIGNED, public_key=Ed25519PrivateKey.generate().public_key())


def test_other_proof_purpose_when_expected():
    credential = vc.build_credential(_SUBJECT, didkey.did_key(_KEY))
    signed = eddsa_jcs_2022.sign(
        credential, _KEY, didkey.verification_method_id(_KEY), proof_purpose="authentication"
    )
    assert eddsa_jcs_2022.verify(signed, expected_proof_purpose="authentication")
    with pytest.raises(errors.ProofPurposeMismatchError):
        eddsa_jcs_2022.verify(signed)


def test_unexpired_proof_verifies_and_expiry_is_signed():
    credential = vc.build_credential(_SUBJECT, didkey.did_key(_KEY))
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2026-01-01T00:00:00Z",
        "expires": "2030-01-01T00:00:00Z",
        "verificationMethod": didkey.verification_method_id(_KEY),
        "proofPurpose": "assertionMethod",
    }
    signed = {**credential, "proof": eddsa_jcs_2022.create_proof(credential, options, _KEY)}
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert eddsa_jcs_2022.verify(signed, now=now)
    with pytest.raises(errors.ProofExpiredError):
        eddsa_jcs_2022.verify(signed, now=datetime(2031, 1, 1, tzinfo=UTC))
    signed["proof"]["expires"] = "2031-01-01T00:00:00Z"
    with pytest.raises(errors.InvalidSignatureError):
        eddsa_jcs_2022.verify(signed, now=now)


# --- any byte changed makes verification fail ----------------------------------------------------------

_BLOB = json.dumps(SIGNED, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(_BLOB) - 1), replacement=st.integers(0, 255))
def test_changing_any_byte_of_the_secured_document_fails(position: int, replacement: int):
    if _BLOB[position] == replacement:
        replacement ^= 0x01
    tampered = bytearray(_BLOB)
    tampered[position] = replacement
    try:
        document = vc.load_document(bytes(tampered))
    except errors.CredentialError:
        return  # not JSON any more: refused before verification
    assert document != SIGNED  # compact JSON: one changed byte always changes the value
    with pytest.raises(errors.CredentialError):
        eddsa_jcs_2022.verify(document)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


_LEAVES = _leaves(SIGNED)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(_LEAVES) - 1), new=st.text(max_size=5) | st.integers())
def test_changing_any_value_of_document_or_proof_fails(index: int, new: Any):
    tampered = copy.deepcopy(SIGNED)
    *parents, last = _LEAVES[index]
    holder = tampered
    for step in parents:
        holder = holder[step]
    if holder[last] == new:
        new = f"{new}x"
    holder[last] = new
    with pytest.raises(errors.CredentialError):
        eddsa_jcs_2022.verify(tampered)


@settings(max_examples=50, deadline=None)
@given(name=st.text(min_size=1, max_size=10), value=st.text(max_size=10))
def test_adding_a_member_to_document_or_proof_fails(name: str, value: str):
    for where in ("document", "proof", "subject"):
        tampered = copy.deepcopy(SIGNED)
        target = {"document": tampered, "proof": tampered["proof"], "subject": tampered["credentialSubject"]}[
            where
        ]
        if name in target:
            continue
        target[name] = value
        with pytest.raises(errors.CredentialError):
            eddsa_jcs_2022.verify(tampered)
