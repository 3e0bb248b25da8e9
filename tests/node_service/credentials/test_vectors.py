"""The W3C eddsa-jcs-2022 test vector (REC Appendix B.3): every intermediate value, byte for byte."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node_service.credentials import didkey, eddsa_jcs_2022, errors, vc

from .conftest import load_vector


def test_key_pair_matches_published_public_key(vector: dict[str, Any], vector_private_key: Ed25519PrivateKey):
    assert didkey.public_key_multibase(vector_private_key) == vector["keyPair"]["publicKeyMultibase"]
    method = vector["proofOptions"]["verificationMethod"]
    assert didkey.verification_method_id(vector_private_key) == method


def test_transformation_gives_published_canonical_document(vector: dict[str, Any]):
    transformed = eddsa_jcs_2022.transformation(vector["unsecuredDocument"], vector["proofOptions"])
    assert transformed == vector["canonicalDocument"].encode("utf-8")
    assert hashlib.sha256(transformed).hexdigest() == vector["documentHashHex"]


def test_proof_configuration_gives_published_canonical_config(vector: dict[str, Any]):
    canonical = eddsa_jcs_2022.proof_configuration(vector["proofOptions"])
    assert canonical == vector["canonicalProofConfig"].encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == vector["proofConfigHashHex"]


def test_hashing_gives_published_combined_hash(vector: dict[str, Any]):
    hash_data = eddsa_jcs_2022.hashing(
        vector["canonicalDocument"].encode("utf-8"), vector["canonicalProofConfig"].encode("utf-8")
    )
    assert hash_data.hex() == vector["combinedHashHex"]
    assert len(hash_data) == 64


def test_proof_serialization_gives_published_signature(
    vector: dict[str, Any], vector_private_key: Ed25519PrivateKey
):
    signature = eddsa_jcs_2022.proof_serialization(
        bytes.fromhex(vector["combinedHashHex"]), vector_private_key
    )
    assert signature.hex() == vector["signatureHex"]


def test_sign_reproduces_published_signed_document(
    vector: dict[str, Any], vector_private_key: Ed25519PrivateKey
):
    signed = eddsa_jcs_2022.sign(
        vector["unsecuredDocument"],
        vector_private_key,
        vector["proofOptions"]["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )
    assert signed["proof"]["proofValue"] == vector["proofValue"]
    assert signed == vector["signedDocument"]
    # key order of the proof as in the spec's example, so the JSON text reads the same
    assert list(signed["proof"]) == list(vector["signedDocument"]["proof"])


def test_published_signed_document_verifies(vector: dict[str, Any]):
    verified = eddsa_jcs_2022.verify(vector["signedDocument"])
    assert verified.public_key_multibase == vector["keyPair"]["publicKeyMultibase"]
    assert verified.controller == "did:key:" + vector["keyPair"]["publicKeyMultibase"]
    assert verified.created == datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
    assert verified.verified_document == vector["unsecuredDocument"]


def test_sign_does_not_mutate_input(vector: dict[str, Any], vector_private_key: Ed25519PrivateKey):
    before = repr(vector["unsecuredDocument"])
    eddsa_jcs_2022.sign(
        vector["unsecuredDocument"], vector_private_key, vector["proofOptions"]["verificationMethod"]
    )
    assert repr(vector["unsecuredDocument"]) == before


def test_w3c_repository_credential_with_https_verification_method():
    data = load_vector("eddsa-jcs-2022-repo-https-method.json")
    key = didkey.public_key_from_multibase(data["publicKeyMultibase"])
    verified = eddsa_jcs_2022.verify(data["signedDocument"], public_key=key)
    assert verified.controller == data["signedDocument"]["issuer"]
    assert (
        vc.verify_credential(data["signedDocument"], public_key=key).issuer
        == "https://vc.example/issuers/5678"
    )
    with pytest.raises(errors.UnresolvableVerificationMethodError):
        eddsa_jcs_2022.verify(data["signedDocument"])


def test_w3c_rec_vector_fails_issuer_binding_by_design(vector: dict[str, Any]):
    # the REC example names an https issuer but signs with a did:key: valid proof, unbound issuer
    with pytest.raises(errors.MalformedCredentialError, match="not made by the issuer"):
        vc.verify_credential(vector["signedDocument"])
