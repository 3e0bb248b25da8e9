"""Canonical forms reused across a verification: member-wise JCS equals whole-document JCS, and verify()'s
canonical_document is the RFC 8785 form of the secured document (or empty when it cannot be reused)."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from node_service.credentials.jcs import canonical_members, join_members

_keys = st.text(max_size=6) | st.sampled_from(["a", "\ue000", "\U0001f600", "b\U00010000", "é", "proof"])
_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, max_value=1e300, min_value=-1e300)
    | st.text(max_size=10)
)
_json = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=6))
def test_joined_members_equal_the_whole_object(value: dict[str, Any]):
    try:
        want = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeError):
        with pytest.raises((rfc8785.CanonicalizationError, UnicodeError)):
            join_members(canonical_members(value))
        return
    assert join_members(canonical_members(value)) == want


def test_members_sort_by_utf16_code_units():
    members = canonical_members({"\ue000": 2, "\U0001f600": 1, "a": [1.0]})
    assert join_members(members) == '{"a":[1],"\U0001f600":1,"\ue000":2}'.encode()


def _signed(document: dict[str, Any]) -> dict[str, Any]:
    key = Ed25519PrivateKey.generate()
    return eddsa_jcs_2022.sign(document, key, verification_method_id(key))


def test_verify_returns_the_secured_documents_canonical_form():
    key = Ed25519PrivateKey.generate()
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did_key(key),
        "credentialSubject": {"amount": 12.0, "name": "铝锭", "list": [0.5, -0.0, 1e21]},
    }
    secured = eddsa_jcs_2022.sign(document, key, verification_method_id(key))
    assert eddsa_jcs_2022.verify(secured).canonical_document == rfc8785.dumps(secured)


def test_canonical_document_is_empty_when_the_proof_context_replaced_the_documents():
    secured = _signed({"@context": ["https://www.w3.org/ns/credentials/v2"], "x": 1})
    secured["@context"] = [*secured["@context"], "https://example.org/extra"]  # still starts with the proof's
    verified = eddsa_jcs_2022.verify(secured)
    assert verified.canonical_document == b""
