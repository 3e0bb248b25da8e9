"""Each refused submission: status, problem type, the field, and nothing stored."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from tests.node_service.helpers import Org, activity
from tests.node_service.services.organisations.helpers import (
    MATERIALS,
    PRODUCT,
    assert_problem,
    counts,
    key_addition,
    key_revocation,
    later,
    name_value,
    put_record,
    records_for_example,
    register,
    signed_activity,
)


def test_key_not_registered_to_the_issuer(client, node):
    org = register(client, "S")
    before = counts(node)
    stranger = Ed25519PrivateKey.generate()
    lone = Org(key=stranger, did=did_key(stranger), token="", id="")
    resp = client.post("/submissions", json=signed_activity(lone))
    assert_problem(resp, 422, "key-not-registered", "proof.verificationMethod")
    # the issuer's did, signed by a stranger's key (the proof names the stranger's did:key)
    credential = signed_activity(org)
    credential.pop("proof")
    forged = eddsa_jcs_2022.sign(credential, stranger, verification_method_id(stranger))
    assert_problem(
        client.post("/submissions", json=forged), 422, "key-not-registered", "proof.verificationMethod"
    )
    assert counts(node) == before


def test_revoked_key_after_revocation(client, node):
    org = register(client, "S")
    spare = Ed25519PrivateKey.generate()
    assert (
        client.post(
            "/organisations/me/keys", json=key_addition(org, org.key, spare), headers=org.auth
        ).status_code
        == 201
    )
    resp = client.post(
        f"/organisations/me/keys/{org.did}/revoke", json=key_revocation(org, spare, org.did), headers=org.auth
    )
    assert resp.status_code == 200, resp.text
    before = counts(node)
    resp = client.post("/submissions", json=signed_activity(org, created=later(1)))
    assert_problem(resp, 422, "key-revoked", "proof.verificationMethod")
    assert counts(node) == before


def test_replayed_under_another_organisation(client, node):
    supplier = register(client, "S")
    other = register(client, "O")
    mine = signed_activity(supplier)
    before = counts(node)
    forged = copy.deepcopy(mine)
    forged.pop("proof")
    forged = eddsa_jcs_2022.sign(
        forged, other.key, verification_method_id(other.key)
    )  # issuer still supplier
    assert_problem(client.post("/submissions", json=forged), 422, "key-not-registered", "issuer")
    claims = signed_activity(other, subject=activity(supplier.did))  # other's credential about the supplier
    assert_problem(
        client.post("/submissions", json=claims),
        422,
        "validation-failed",
        "credentialSubject.organisation.id",
    )
    assert counts(node) == before


@pytest.mark.usefixtures("example_identifiers")
def test_same_id_other_content_is_409(client, node):
    org = register(client, "S")
    cid = "urn:uuid:6c1f9d52-2b0e-4a57-8f0e-3d4c5b6a7980"
    first = signed_activity(org, credential_id=cid)
    assert client.post("/submissions", json=first).status_code == 201
    assert client.post("/submissions", json=first).status_code == 200  # idempotent
    before = counts(node)
    subject = activity(org.did)
    subject["productName"] = "something else"
    assert_problem(
        client.post("/submissions", json=signed_activity(org, subject=subject, credential_id=cid)),
        409,
        "conflict",
        "id",
    )
    assert counts(node) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s["producedQuantity"].update(unit="kWh"), "credentialSubject.producedQuantity.unit"),
        (
            lambda s: s["producedQuantity"].update(unit="furlong-per-fortnight"),
            "credentialSubject.producedQuantity.unit",
        ),
        (
            lambda s: s["inputs"]["transport"][0]["distance"].update(unit="kg"),
            "credentialSubject.inputs.transport[0].distance.unit",
        ),
        (
            lambda s: s["inputs"]["materials"][1].update(unit="kWh/kg"),
            "credentialSubject.inputs.materials[1].unit",
        ),
        (
            lambda s: s["inputs"]["materials"][0].update(amount=-1),
            "credentialSubject.inputs.materials[0].amount",
        ),
        (lambda s: s.pop("site"), "credentialSubject.site"),
    ],
)
def test_invalid_schema_or_unit_names_the_real_field(client, node, change, field):
    org = register(client, "S")
    subject = activity(org.did)
    change(subject)
    before = counts(node)
    body = assert_problem(
        client.post("/submissions", json=signed_activity(org, subject=subject)),
        422,
        "validation-failed",
        field,
    )
    assert body["errors"][0]["field"] == field
    assert counts(node) == before


def test_unresolvable_identifier_under_a_served_prefix(client, node):
    owner = register(client, "Smelter", idisPrefixes=["88.118.8"])
    other = register(client, "Alumina", idisPrefixes=["88.118.5"])
    before = counts(node)
    resp = client.post("/submissions", json=signed_activity(owner))
    body = assert_problem(resp, 422, "unresolvable-identifier", "credentialSubject.productIdentifier")
    assert PRODUCT in body["detail"]
    assert put_record(client, owner, PRODUCT, [name_value("ingot")]).status_code == 201
    resp = client.post("/submissions", json=signed_activity(owner))
    assert_problem(resp, 422, "unresolvable-identifier", "credentialSubject.inputs.materials[0].identifier")
    assert counts(node) == {**before, "handle_records": 1}
    records_for_example(client, owner, other)
    resp = client.post("/submissions", json=signed_activity(owner))
    assert resp.status_code == 201, resp.text
    assert resp.json()["flags"] == []  # every identifier resolved; the GTIN is valid by its check digit


def test_malformed_identifier_is_refused(client, node):
    org = register(client, "S")
    subject = activity(org.did)
    subject["inputs"]["materials"][2]["identifier"] = "urn:gtin:6901234567893"  # wrong check digit
    before = counts(node)
    resp = client.post("/submissions", json=signed_activity(org, subject=subject))
    assert_problem(resp, 422, "invalid-identifier", "credentialSubject.inputs.materials[2].identifier")
    subject["inputs"]["materials"][2]["identifier"] = "91530100MA6K8Q2L5T"  # a company, not a product
    resp = client.post("/submissions", json=signed_activity(org, subject=subject))
    assert_problem(resp, 422, "invalid-identifier", "credentialSubject.inputs.materials[2].identifier")
    assert counts(node) == before


def test_unserved_prefixes_are_refused_by_default_and_flagged_when_lenient(make_node, tmp_path):
    default = make_node(f"sqlite:///{tmp_path / 'b.sqlite'}", data_dir=tmp_path / "b")
    assert default.settings.strict_identifiers
    with TestClient(create_app(node=default)) as client:
        org = register(client, "S")
        before = counts(default)
        resp = client.post("/submissions", json=signed_activity(org))
        body = assert_problem(resp, 422, "unresolvable-identifier", "credentialSubject.productIdentifier")
        assert PRODUCT in body["detail"] and "no resolver serves prefix 88.118.8" in body["detail"]
        assert counts(default) == before
    # the operator's opt-out (TANLIAN_STRICT_IDENTIFIERS=false): accepted, every such handle flagged
    lenient = make_node(
        f"sqlite:///{tmp_path / 'a.sqlite'}", data_dir=tmp_path / "a", strict_identifiers=False
    )
    with TestClient(create_app(node=lenient)) as client:
        org = register(client, "S")
        resp = client.post("/submissions", json=signed_activity(org))
        assert resp.status_code == 201, resp.text
        flagged = {f["field"] for f in resp.json()["flags"] if f["kind"] == "unresolved-identifier"}
        assert flagged == {
            "credentialSubject.productIdentifier",
            "credentialSubject.inputs.materials[0].identifier",
            "credentialSubject.inputs.materials[1].identifier",
        }
        got = client.get(f"/submissions/{resp.json()['id']}", headers=org.auth).json()
        assert {f["field"] for f in got["flags"]} == flagged
        assert MATERIALS[0].startswith("88.118.5")
