"""Credentials made by our signer verify with the independent verifier written from the spec."""

from __future__ import annotations

import copy
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node_service.credentials import didkey, eddsa_jcs_2022, vc

from . import independent_verifier as reference


def test_reference_ed25519_matches_rfc8032_test_1():
    # RFC 8032 §7.1, TEST 1 (empty message)
    public_key = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    signature = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    assert reference.ed25519_verify(public_key, b"", signature)
    assert not reference.ed25519_verify(public_key, b"x", signature)


def test_reference_verifier_accepts_w3c_vector(vector: dict[str, Any]):
    assert reference.verify(vector["signedDocument"])
    tampered = copy.deepcopy(vector["signedDocument"])
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    assert not reference.verify(tampered)


def test_reference_verifier_accepts_our_credential(private_key: Ed25519PrivateKey):
    subject = {"productId": "88.101.1/ALU-INGOT-99.7", "declaredUnit": "kg", "producedQuantity": 12500.5}
    signed = vc.sign_credential(vc.build_credential(subject, didkey.did_key(private_key)), private_key)
    assert reference.verify(signed)
    signed["credentialSubject"]["producedQuantity"] = 12500.6
    assert not reference.verify(signed)


_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=st.dictionaries(st.text(min_size=1, max_size=8), _json, min_size=1, max_size=5))
def test_any_json_subject_signed_by_us_verifies_independently(subject: dict[str, Any]):
    signed = eddsa_jcs_2022.sign(
        vc.build_credential(subject, didkey.did_key(_KEY)), _KEY, didkey.verification_method_id(_KEY)
    )
    assert eddsa_jcs_2022.verify(signed)
    assert reference.verify(signed)
