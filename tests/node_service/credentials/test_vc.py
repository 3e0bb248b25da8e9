"""VC 2.0 building, structural checks, document parsing limits and issuer binding."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node_service.credentials import didkey, errors, vc


def test_build_credential_shape(private_key: Ed25519PrivateKey):
    did = didkey.did_key(private_key)
    credential = vc.build_credential(
        {"productId": "88.101.1/A"}, did, valid_from=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "ActivityDataCredential"]
    assert credential["id"].startswith("urn:uuid:") and len(credential["id"]) == 45
    assert credential["issuer"] == did
    assert credential["validFrom"] == "2026-01-01T00:00:00Z"
    assert credential["credentialSubject"] == {"productId": "88.101.1/A"}


def _valid() -> dict[str, Any]:
    return vc.build_credential({"a": 1}, "did:key:" + "z6Mkf5rGMoatrSj1f4CyvuHBeXJELe9RPdzo2PKGNCKVtZxP")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"@context": "https://www.w3.org/ns/credentials/v2"}, "@context"),
        ({"@context": ["https://www.w3.org/2018/credentials/v1"]}, "@context"),
        ({"type": ["ActivityDataCredential"]}, "lacks VerifiableCredential"),
        ({"type": [1]}, "list of strings"),
        ({"id": "not a url"}, "id is not a URL"),
        ({"issuer": None}, "issuer"),
        ({"issuer": {"name": "x"}}, "issuer"),
        ({"credentialSubject": {}}, "credentialSubject"),
        ({"credentialSubject": []}, "credentialSubject"),
        ({"validFrom": "2026-01-01"}, "validFrom"),
        ({"validFrom": "2026-01-01T00:00:00"}, "validFrom"),
        ({"validUntil": "2025-01-01T00:00:00Z"}, "before validFrom"),
    ],
)
def test_structural_checks(change: dict[str, Any], message: str):
    with pytest.raises(errors.MalformedCredentialError, match=message):
        vc.check_credential({**_valid(), **change})


def test_expected_type_and_issuer_object():
    credential = {**_valid(), "issuer": {"id": _valid()["issuer"], "name": "Yunnan Aluminium"}}
    vc.check_credential(credential, expected_type="ActivityDataCredential")
    assert vc.issuer_id(credential) == _valid()["issuer"]
    with pytest.raises(errors.MalformedCredentialError, match="lacks PactProductFootprint"):
        vc.check_credential(credential, expected_type="PactProductFootprint")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a":1,"a":2}', "duplicate"),
        (b'{"a":NaN}', "non-standard number"),
        (b'{"a":1} x', "not valid JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"a":"\xff"}', "not UTF-8"),
        (b'{"a":' + b"[" * 100 + b"]" * 100 + b"}", "nested too deeply"),
        (b'{"a":"' + b"x" * vc.MAX_DOCUMENT_BYTES + b'"}', "too large"),
    ],
)
def test_load_document_limits(data: bytes, message: str):
    with pytest.raises(errors.MalformedCredentialError, match=message):
        vc.load_document(data)


def test_sign_and_verify_credential_bind_issuer_and_key(private_key: Ed25519PrivateKey):
    credential = vc.build_credential({"a": 1}, didkey.did_key(private_key))
    signed = vc.sign_credential(credential, private_key)
    verified = vc.verify_credential(json.loads(json.dumps(signed)), expected_type="ActivityDataCredential")
    assert verified.issuer == didkey.did_key(private_key)
    with pytest.raises(errors.MalformedCredentialError, match="not the signing key's did"):
        vc.sign_credential(credential, Ed25519PrivateKey.generate())


def test_credential_signed_by_someone_else_than_the_issuer_is_refused(private_key: Ed25519PrivateKey):
    from node_service.credentials import eddsa_jcs_2022

    mallory = Ed25519PrivateKey.generate()
    credential = vc.build_credential({"a": 1}, didkey.did_key(private_key))
    forged = eddsa_jcs_2022.sign(credential, mallory, didkey.verification_method_id(mallory))
    assert eddsa_jcs_2022.verify(forged)  # the signature itself is fine…
    with pytest.raises(errors.MalformedCredentialError, match="not made by the issuer"):
        vc.verify_credential(forged)  # …but not by the issuer


def test_w3c_vector_is_structurally_valid(vector: dict[str, Any]):
    vc.check_credential(copy.deepcopy(vector["signedDocument"]))


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"a":"' + "[{" * 200 + '\\"' + '","b":[[[1]]]}'
    assert vc.load_document(text.encode())["b"] == [[[1]]]
