"""Every rejection is RFC 9457 problem+json naming the field, and stores nothing."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.app import create_app
from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import verification_method_id
from node_service.db.models import Footprint, LogEntry, Submission
from tests.node_service.helpers import Org, activity, register, signed_activity


@pytest.fixture
def client_and_node(make_node, tmp_path):
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        yield client, node


def _counts(node):
    with node.db.transaction() as session:
        return tuple(
            session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Submission, Footprint, LogEntry)
        )


def _assert_problem(resp, status, field_prefix=None):
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if field_prefix:
        assert body["field"].startswith(field_prefix), body
    return body


def test_tampered_credential(client_and_node):
    client, node = client_and_node
    supplier = register(client, "S", ["supplier"])
    before = _counts(node)
    credential = signed_activity(supplier)
    credential["credentialSubject"]["producedQuantity"]["amount"] = 1
    _assert_problem(client.post("/submissions", json=credential), 422, "proof")
    assert _counts(node) == before


def test_unregistered_key(client_and_node):
    client, node = client_and_node
    register(client, "S", ["supplier"])
    before = _counts(node)
    stranger_key = Ed25519PrivateKey.generate()
    from node_service.credentials.didkey import did_key

    stranger = Org(key=stranger_key, did=did_key(stranger_key), token="", id="")
    _assert_problem(
        client.post("/submissions", json=signed_activity(stranger)), 422, "proof.verificationMethod"
    )
    assert _counts(node) == before


def test_replayed_under_another_organisation(client_and_node):
    client, node = client_and_node
    supplier = register(client, "S", ["supplier"])
    other = register(client, "O", ["supplier"])
    before = _counts(node)
    # the other organisation signs a document claiming to be the supplier's
    credential = signed_activity(other, activity(supplier.did))
    _assert_problem(client.post("/submissions", json=credential), 422, "credentialSubject.organisation")
    # the supplier's own credential with the issuer swapped and re-signed by the other org
    mine = signed_activity(supplier)
    forged = copy.deepcopy(mine)
    forged.pop("proof")
    forged["issuer"] = supplier.did
    forged = eddsa_jcs_2022.sign(forged, other.key, verification_method_id(other.key))
    _assert_problem(client.post("/submissions", json=forged), 422, "issuer")
    assert _counts(node) == before


def test_same_id_other_content_is_conflict(client_and_node):
    client, node = client_and_node
    supplier = register(client, "S", ["supplier"])
    first = signed_activity(supplier, credential_id="urn:uuid:0b7f9c9e-4c1e-4f3a-9d7e-1a2b3c4d5e6f")
    assert client.post("/submissions", json=first).status_code == 201
    before = _counts(node)
    subject = activity(supplier.did)
    subject["producedQuantity"]["amount"] = subject["producedQuantity"]["amount"] * 2
    second = signed_activity(supplier, subject, credential_id="urn:uuid:0b7f9c9e-4c1e-4f3a-9d7e-1a2b3c4d5e6f")
    _assert_problem(client.post("/submissions", json=second), 409)
    assert _counts(node) == before


def test_invalid_activity_data_names_the_field(client_and_node):
    client, node = client_and_node
    supplier = register(client, "S", ["supplier"])
    before = _counts(node)
    subject = activity(supplier.did)
    subject["producedQuantity"]["unit"] = "furlong-per-fortnight"
    body = _assert_problem(client.post("/submissions", json=signed_activity(supplier, subject)), 422)
    assert body["field"].startswith("credentialSubject.producedQuantity")
    subject = activity(supplier.did)
    subject["producedQuantity"]["amount"] = -5
    body = _assert_problem(client.post("/submissions", json=signed_activity(supplier, subject)), 422)
    assert body["field"].startswith("credentialSubject.producedQuantity")
    assert _counts(node) == before


def test_not_a_credential(client_and_node):
    client, node = client_and_node
    before = _counts(node)
    _assert_problem(client.post("/submissions", json={"hello": "world"}), 422)
    _assert_problem(
        client.post("/submissions", content=b"[1,2", headers={"content-type": "application/json"}), 422
    )
    assert _counts(node) == before


def test_registration_must_be_self_signed(client_and_node):
    client, _ = client_and_node
    from tests.node_service.helpers import registration

    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    doc = registration(key, "X", ["supplier"])
    doc.pop("proof")
    doc = eddsa_jcs_2022.sign(doc, other, verification_method_id(other))
    _assert_problem(client.post("/organisations", json=doc), 422, "issuer")
    good = registration(key, "X", ["supplier"])
    assert client.post("/organisations", json=good).status_code == 201
    _assert_problem(client.post("/organisations", json=registration(key, "X", ["supplier"])), 409)
    _assert_problem(
        client.post("/organisations", json=registration(other, "Y", ["wizard"])),
        422,
        "credentialSubject.roles",
    )


def test_authentication_required(client_and_node):
    client, _ = client_and_node
    _assert_problem(client.get("/footprints"), 401)
    _assert_problem(client.get("/footprints", headers={"Authorization": "Bearer nope"}), 401)


def test_only_the_owner_shares(client_and_node):
    client, _ = client_and_node
    supplier = register(client, "S", ["supplier"])
    buyer = register(client, "B", ["buyer"])
    fid = client.post("/submissions", json=signed_activity(supplier)).json()["footprintId"]
    _assert_problem(
        client.post(f"/footprints/{fid}/shares", json={"organisation": buyer.did}, headers=buyer.auth), 403
    )
    _assert_problem(
        client.post(
            f"/footprints/{fid}/shares", json={"organisation": "did:key:nobody"}, headers=supplier.auth
        ),
        422,
        "organisation",
    )
