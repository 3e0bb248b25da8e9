"""GEC serials claimed once across the exchange; cited evidence must be the submitter's own. Both through the
node's API: a refused submission stores and logs nothing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from footprint_engine.activity import ActivityData
from node_service.app import create_app
from node_service.credentials.jcs import canonicalize
from node_service.db.models import Footprint, LogEntry, Organisation, Submission
from node_service.errors import ValidationFailed
from node_service.services.evidence_files import check_cited_evidence, cited_cids, record_gec_claims
from node_service.services.evidence_files.errors import GecSerialClaimed
from node_service.services.evidence_files.models import GecClaimRecord
from node_service.services.organisations.models import SubmissionFlag
from tests.node_service.helpers import activity, register, signed_activity

# fixed serials of these tests' own (every other test claims serials of its own, tests.node_service.helpers.activity)
SERIALS = ("GEC-2024-YN-HYD-TEST-000123", "GEC-2023-YN-HYD-TEST-004560")
FIRST = "credentialSubject.inputs.electricity[0].greenPowerClaims[0].serial"


def _counts(node: Any) -> dict[str, int]:
    with node.db.transaction() as session:
        return {
            t.__tablename__: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Submission, Footprint, SubmissionFlag, GecClaimRecord, LogEntry)
        }


def _problem(resp: Any, status: int, problem: str, field: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["type"] == f"/problems/{problem}" and body["field"] == field, body
    return body


def _held(node: Any) -> dict[str, str]:
    with node.db.transaction() as session:
        return {c.serial: c.submission_id for c in session.execute(select(GecClaimRecord)).scalars()}


def test_a_serial_is_claimed_once_across_the_exchange(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        bob = register(client, "Bob", ["supplier"])
        mine = signed_activity(alice, activity(alice.did, gec_serials=SERIALS))
        resp = client.post("/submissions", json=mine)
        assert resp.status_code == 201, resp.text
        first = resp.json()["id"]
        assert _held(node) == dict.fromkeys(SERIALS, first)
        with node.db.transaction() as session:  # one log entry per claim, hashing the claim document
            claims = session.execute(select(GecClaimRecord)).scalars().all()
            logged = session.execute(select(LogEntry).where(LogEntry.type == "gec-claim")).scalars().all()
            assert {e.entry["sha256"] for e in logged} == {c.sha256 for c in claims}
            assert all(c.sha256 == hashlib.sha256(canonicalize(c.claim)).hexdigest() for c in claims)
            assert {e.entry["serial"] for e in logged} == set(SERIALS)
        receipt = client.get(f"/receipts/{claims[0].entry_id}", headers=alice.auth)
        assert receipt.status_code in (200, 409), receipt.text  # logged (409 until anchored)
        before = _counts(node)

        # anyone else, or the same organisation for another product: refused, naming the serial; nothing stored
        other_product = activity(alice.did, gec_serials=SERIALS, productIdentifier="88.118.8/ANODE-PB")
        for org, subject in ((bob, activity(bob.did, gec_serials=SERIALS)), (alice, other_product)):
            resp = client.post("/submissions", json=signed_activity(org, subject))
            body = _problem(resp, 409, "gec-serial-claimed", FIRST)
            assert SERIALS[0] in body["detail"]
            assert ("your submission" in body["detail"]) == (org is alice)
            assert _counts(node) == before
        # a serial with surrounding spaces is the same serial
        spaced = activity(bob.did, gec_serials=(f" {SERIALS[1]} ", "GEC-BOB-OWN-1"))
        resp = client.post("/submissions", json=signed_activity(bob, spaced))
        _problem(resp, 409, "gec-serial-claimed", FIRST)
        assert _counts(node) == before and _held(node) == dict.fromkeys(SERIALS, first)
        # the same credential again is a replay, not a second claim
        assert client.post("/submissions", json=mine).status_code == 200
        assert _counts(node) == before


def test_a_claim_moves_to_the_version_that_supersedes_it(make_node):
    node = make_node(None)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        old = signed_activity(alice, activity(alice.did, gec_serials=SERIALS))
        assert client.post("/submissions", json=old).status_code == 201
        assert client.post("/submissions", json=old).status_code == 200  # replay: same record, same claims
        new = signed_activity(alice, activity(alice.did, gec_serials=SERIALS))
        resp = client.post("/submissions", json=new)
        assert resp.status_code == 201, resp.text
        assert _held(node) == dict.fromkeys(SERIALS, new["id"])
        with node.db.transaction() as session:
            assert session.get(Submission, old["id"]).status == "superseded"
            assert session.get(Submission, old["id"]).superseded_by == new["id"]
            logged = session.execute(select(LogEntry).where(LogEntry.type == "gec-claim")).scalars().all()
            assert len(logged) == 4  # each version logged its claims
        # a third version without the second batch: it keeps only what it claims; a fourth claims it again
        third = activity(alice.did, gec_serials=SERIALS)
        third["inputs"]["electricity"][0]["greenPowerClaims"].pop()
        assert client.post("/submissions", json=signed_activity(alice, third)).status_code == 201
        held = _held(node)
        assert held[SERIALS[0]] != new["id"] and held[SERIALS[1]] == new["id"]
        fourth = signed_activity(alice, activity(alice.did, gec_serials=SERIALS))
        assert client.post("/submissions", json=fourth).status_code == 201
        assert _held(node) == dict.fromkeys(SERIALS, fourth["id"])


def test_record_gec_claims_in_ones_own_transaction(make_node):
    """The one-call form for other callers: same rules, entries for the caller to append."""
    node = make_node(None)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        bob = register(client, "Bob", ["supplier"])
    data = ActivityData.model_validate(activity(alice.did, gec_serials=SERIALS))
    with node.tlog.lock, node.db.transaction() as session:
        org = session.get(Organisation, alice.id)
        entries = record_gec_claims(session, org, data, "urn:uuid:first")
        node.tlog.append(session, entries)
    assert [e["serial"] for e in entries] == list(SERIALS)
    assert entries[0]["id"] == f"urn:tanlian:gec-claim:urn:uuid:first:{SERIALS[0]}"
    with node.db.transaction() as session, pytest.raises(GecSerialClaimed) as caught:
        org = session.get(Organisation, bob.id)
        record_gec_claims(
            session, org, ActivityData.model_validate(activity(bob.did, gec_serials=SERIALS)), "x"
        )
    assert caught.value.status == 409 and caught.value.field == FIRST
    assert _held(node) == dict.fromkeys(SERIALS, "urn:uuid:first")


def test_cited_evidence_must_be_the_submitters_own(make_node):
    node = make_node(None)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        bob = register(client, "Bob", ["supplier"])
        cid = client.post(
            "/evidence", files={"file": ("a.txt", b"alice's meter")}, headers=alice.auth
        ).json()["cid"]
        where = "credentialSubject.inputs.electricity[0].evidence[0]"

        def citing(org: Any, cids: list[str]) -> dict[str, Any]:
            subject = activity(org.did)
            subject["inputs"]["electricity"][0]["evidence"] = cids
            return signed_activity(org, subject)

        before = _counts(node)
        # someone else's file, even shared with you: refused, naming the path and how to fix it
        grant = client.post(f"/evidence/{cid}/grants", json={"organisation": bob.did}, headers=alice.auth)
        assert grant.status_code in (200, 201), grant.text
        body = _problem(client.post("/submissions", json=citing(bob, [cid])), 422, "validation-failed", where)
        assert cid in body["detail"] and "POST /evidence" in body["fix"] and "--evidence" in body["fix"]
        # a file never uploaded (the example's placeholder CIDs)
        placeholder = "bafkreifkortaekdmfwrogprq42ww3jrerhvif3efhg67lj36oarwk4ninm"
        resp = client.post("/submissions", json=citing(alice, [cid, placeholder]))
        _problem(resp, 422, "validation-failed", "credentialSubject.inputs.electricity[0].evidence[1]")
        assert _counts(node) == before
        # your own upload: accepted
        assert client.post("/submissions", json=citing(alice, [cid])).status_code == 201

    subject = activity(alice.did)
    subject["inputs"]["electricity"][0]["evidence"] = [cid]
    subject["evidence"] = [placeholder]
    cited = cited_cids(subject, "credentialSubject")
    assert cited == {cid: where, placeholder: "credentialSubject.evidence[0]"}
    with node.db.transaction() as session:
        alice_org = session.get(Organisation, alice.id)
        check_cited_evidence(session, alice_org, [cid])
        with pytest.raises(ValidationFailed) as caught:
            check_cited_evidence(session, alice_org, cited)
        assert caught.value.status == 422 and caught.value.field == "credentialSubject.evidence[0]"
