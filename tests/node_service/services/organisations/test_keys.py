"""Keys: add (signed by an active key + proof of possession), rotate, retire, revoke; the signature's
time is proof.created; every key event is a "key" log entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from node_service.credentials.vc import build_credential
from node_service.db.models import LogEntry
from tests.node_service.services.organisations.helpers import (
    assert_problem,
    counts,
    key_addition,
    key_retirement,
    key_revocation,
    later,
    now,
    register,
    signed_activity,
)

REVOKED = "signed-by-revoked-key"

pytestmark = pytest.mark.usefixtures("example_identifiers")  # the submissions here must be accepted


def _kinds(submission):
    return [f["kind"] for f in submission["flags"]]


def _key_entries(node, did):
    with node.db.transaction() as session:
        rows = session.execute(select(LogEntry.entry_id).where(LogEntry.type == "key")).scalars()
        return sorted(e for e in rows if e.startswith(did))


def _add(client, org, signer=None, **kw):
    new = Ed25519PrivateKey.generate()
    resp = client.post(
        "/organisations/me/keys", json=key_addition(org, signer or org.key, new, **kw), headers=org.auth
    )
    assert resp.status_code == 201, resp.text
    return new


def test_second_key_signs_for_the_first_did(client, node):
    org = register(client, "S")
    second = _add(client, org)
    resp = client.post("/submissions", json=signed_activity(org, second))
    assert resp.status_code == 201, resp.text
    profile = client.get(f"/organisations/{org.did}").json()
    assert profile["did"] == org.did
    assert [k["status"] for k in profile["keys"]] == ["active", "active"]
    assert _key_entries(node, did_key(second)) == [f"{did_key(second)}#added"]


def test_addition_needs_possession_of_the_new_key_and_an_active_key(client, node):
    org = register(client, "S")
    other = register(client, "O")
    new, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    before = counts(node)
    # proof of possession signed by another key than the one added
    doc = key_addition(org, org.key, new)
    pop = {k: v for k, v in doc["credentialSubject"]["keyPossession"].items() if k != "proof"}
    forged_pop = eddsa_jcs_2022.sign(pop, stranger, verification_method_id(stranger))
    doc = key_addition(org, org.key, new)
    subject = dict(doc["credentialSubject"], keyPossession=forged_pop)
    unsigned = build_credential(subject, org.did, credential_type="KeyAddition")
    forged = eddsa_jcs_2022.sign(unsigned, org.key, verification_method_id(org.key))
    assert_problem(
        client.post("/organisations/me/keys", json=forged, headers=org.auth), 422, "validation-failed"
    )
    # possession proof made out to another organisation cannot be replayed here
    other_doc = key_addition(other, other.key, new)
    subject = dict(doc["credentialSubject"], keyPossession=other_doc["credentialSubject"]["keyPossession"])
    replay = eddsa_jcs_2022.sign(
        build_credential(subject, org.did, credential_type="KeyAddition"),
        org.key,
        verification_method_id(org.key),
    )
    body = assert_problem(
        client.post("/organisations/me/keys", json=replay, headers=org.auth), 422, "validation-failed"
    )
    assert body["field"].startswith("credentialSubject.keyPossession")
    # request signed by a key that is not the organisation's
    resp = client.post("/organisations/me/keys", json=key_addition(org, stranger, new), headers=org.auth)
    assert_problem(resp, 422, "key-not-registered", "proof.verificationMethod")
    # another organisation's token
    resp = client.post("/organisations/me/keys", json=key_addition(org, org.key, new), headers=other.auth)
    assert_problem(resp, 422, "validation-failed", "issuer")
    assert counts(node) == before
    # the same key twice
    _add(client, org)
    doc = key_addition(org, org.key, new)
    assert client.post("/organisations/me/keys", json=doc, headers=org.auth).status_code == 201
    assert_problem(client.post("/organisations/me/keys", json=doc, headers=org.auth), 409, "conflict")


def test_rotation_retires_the_old_key_from_a_date(client, node):
    org = register(client, "S")
    retire_from = later(60)
    new = _add(client, org, retire={"id": org.did, "from": eddsa_jcs_2022.format_datetime(retire_from)})
    # signed before the retirement date: accepted
    before_retirement = signed_activity(org, created=retire_from - timedelta(seconds=30))
    assert client.post("/submissions", json=before_retirement).status_code == 201
    # signed after it: refused, nothing stored
    before = counts(node)
    after_retirement = signed_activity(org, created=retire_from + timedelta(seconds=1))
    resp = client.post("/submissions", json=after_retirement)
    assert_problem(resp, 422, "key-retired", "proof.verificationMethod")
    assert counts(node) == before
    assert client.post("/submissions", json=signed_activity(org, new)).status_code == 201
    assert _key_entries(node, org.did) == [f"{org.did}#added", f"{org.did}#retired"]


def test_the_last_active_key_cannot_be_retired(client, node):
    org = register(client, "S")
    before = counts(node)
    resp = client.post(
        f"/organisations/me/keys/{org.did}/retire",
        json=key_retirement(org, org.key, org.did),
        headers=org.auth,
    )
    assert_problem(resp, 409, "conflict")
    assert counts(node) == before


def test_revocation_refuses_later_signatures_and_flags_earlier_ones(client, node):
    org = register(client, "S")
    spare = _add(client, org)
    earlier = signed_activity(org)
    first = client.post("/submissions", json=earlier).json()
    assert REVOKED not in _kinds(first)
    signed_before = signed_activity(org, created=now() - timedelta(seconds=5))  # signed, not yet sent
    # a key cannot revoke itself; another active key can
    resp = client.post(
        f"/organisations/me/keys/{org.did}/revoke",
        json=key_revocation(org, org.key, org.did),
        headers=org.auth,
    )
    assert_problem(resp, 422, "validation-failed", "proof.verificationMethod")
    resp = client.post(
        f"/organisations/me/keys/{org.did}/revoke", json=key_revocation(org, spare, org.did), headers=org.auth
    )
    assert resp.status_code == 200 and resp.json()["status"] == "revoked", resp.text
    # the stored submission is flagged in GET responses
    got = client.get(f"/submissions/{first['id']}", headers=org.auth).json()
    assert REVOKED in _kinds(got)
    # a signature made after the revocation is refused, nothing stored
    before = counts(node)
    resp = client.post("/submissions", json=signed_activity(org, created=later(1)))
    assert_problem(resp, 422, "key-revoked", "proof.verificationMethod")
    assert counts(node) == before
    # one made before still verifies, and is flagged
    resp = client.post("/submissions", json=signed_before)
    assert resp.status_code == 201, resp.text
    assert REVOKED in _kinds(resp.json())
    # revoked twice: conflict; the organisation goes on with its spare key
    resp = client.post(
        f"/organisations/me/keys/{org.did}/revoke", json=key_revocation(org, spare, org.did), headers=org.auth
    )
    assert_problem(resp, 409, "conflict")
    assert client.post("/submissions", json=signed_activity(org, spare)).status_code == 201
    assert _key_entries(node, org.did) == [f"{org.did}#added", f"{org.did}#revoked"]
    assert client.get(f"/organisations/{org.did}").json()["keys"][0]["status"] == "revoked"


def test_signature_time_must_be_present_and_not_in_the_future(client, node):
    org = register(client, "S")
    before = counts(node)
    resp = client.post("/submissions", json=signed_activity(org, created=later(600)))
    assert_problem(resp, 422, "proof-time-invalid", "proof.created")
    assert (
        client.post("/submissions", json=signed_activity(org, created=later(30))).status_code == 201
    )  # skew
    before = counts(node)
    unsigned = build_credential({"x": 1}, org.did)
    doc = signed_activity(org)
    doc["proof"].pop("created")
    proof = doc.pop("proof")
    del unsigned
    # re-sign without created: the eddsa-jcs-2022 proof is valid but carries no time
    from node_service.credentials.eddsa_jcs_2022 import create_proof

    options = {k: v for k, v in proof.items() if k != "proofValue"}
    doc["proof"] = create_proof(doc, options, org.key)
    assert_problem(client.post("/submissions", json=doc), 422, "proof-time-invalid", "proof.created")
    assert counts(node) == before


def test_stale_key_management_requests_are_refused(client, node):
    org = register(client, "S")
    new = Ed25519PrivateKey.generate()
    doc = key_addition(org, org.key, new)
    doc.pop("proof")
    stale = eddsa_jcs_2022.sign(
        doc, org.key, verification_method_id(org.key), created=now() - timedelta(hours=1)
    )
    resp = client.post("/organisations/me/keys", json=stale, headers=org.auth)
    assert_problem(resp, 422, "proof-time-invalid", "proof.created")
