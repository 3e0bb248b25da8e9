"""GEC serials claimed once across the exchange; cited evidence must be the submitter's own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from footprint_engine.activity import ActivityData
from node_service.app import create_app
from node_service.db.models import LogEntry, Organisation, Submission
from node_service.errors import ValidationFailed
from node_service.evidence_api import check_cited_evidence, cited_cids, record_gec_claims
from node_service.evidence_api.errors import GecSerialClaimed
from node_service.evidence_api.models import GecClaimRecord
from node_service.services.log import canonical_sha256
from tests.node.helpers import activity, register

SERIAL = "GEC-2024-YN-HYD-000123"


def _submission(session, org_id: str, status: str = "accepted", superseded_by: str | None = None) -> str:
    sid = f"urn:uuid:{uuid.uuid4()}"
    session.add(
        Submission(
            id=sid,
            organisation_id=org_id,
            product_id="p",
            period_start="2024-01-01",
            period_end="2024-12-31",
            status=status,
            credential={},
            sha256="0" * 64,
            signed_by="k",
            superseded_by=superseded_by,
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return sid


def _claim(node, org_id, activity_data, submission_id):
    with node.tlog.lock, node.db.transaction() as session:
        org = session.get(Organisation, org_id)
        entries = record_gec_claims(session, org, activity_data, submission_id)
        node.tlog.append(session, entries)
        return entries


def test_a_serial_is_claimed_once_across_the_exchange(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        bob = register(client, "Bob", ["supplier"])
    data_a = ActivityData.model_validate(activity(alice.did))
    data_b = ActivityData.model_validate(activity(bob.did))
    with node.db.transaction() as session:
        first = _submission(session, alice.id)
        other = _submission(session, bob.id)
        again = _submission(session, alice.id)
    entries = _claim(node, alice.id, data_a, first)
    assert [e["serial"] for e in entries] == [SERIAL, "GEC-2023-YN-HYD-004560"]
    with node.db.transaction() as session:
        held = session.get(GecClaimRecord, SERIAL)
        assert held.submission_id == first and held.sha256 == canonical_sha256(held.claim)
        logged = session.execute(select(LogEntry).where(LogEntry.type == "gec-claim")).scalars().all()
        assert {e.entry["sha256"] for e in logged} == {
            r.sha256 for r in session.execute(select(GecClaimRecord)).scalars()
        }
    # anyone else claiming it, or the same organisation from an unrelated submission: refused, naming the serial
    for org_id, data, sid in ((bob.id, data_b, other), (alice.id, data_a, again)):
        with pytest.raises(GecSerialClaimed) as caught:
            _claim(node, org_id, data, sid)
        assert caught.value.status == 409 and SERIAL in caught.value.detail
        assert caught.value.field == "credentialSubject.inputs.electricity[0].greenPowerClaims[0].serial"
    with node.db.transaction() as session:  # the refused claims left nothing behind
        assert session.get(GecClaimRecord, SERIAL).submission_id == first
        assert len(session.execute(select(LogEntry).where(LogEntry.type == "gec-claim")).all()) == 2


def test_a_claim_moves_to_the_version_that_supersedes_it(make_node):
    node = make_node(None)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
    data = ActivityData.model_validate(activity(alice.did))
    with node.db.transaction() as session:
        old = _submission(session, alice.id)
    _claim(node, alice.id, data, old)
    new = f"urn:uuid:{uuid.uuid4()}"
    with node.db.transaction() as session:
        session.get(Submission, old).status = "superseded"
        session.get(Submission, old).superseded_by = new
    with node.db.transaction() as session:
        _submission(session, alice.id)  # noise
        session.add(
            Submission(
                id=new,
                organisation_id=alice.id,
                product_id="p",
                period_start="2024-01-01",
                period_end="2024-12-31",
                status="accepted",
                credential={},
                sha256="0" * 64,
                signed_by="k",
                created_at=datetime.now(UTC),
            )
        )
    entries = _claim(node, alice.id, data, new)
    assert len(entries) == 2
    with node.db.transaction() as session:
        assert session.get(GecClaimRecord, SERIAL).submission_id == new
        assert len(session.execute(select(LogEntry).where(LogEntry.type == "gec-claim")).all()) == 4


def test_cited_evidence_must_be_the_submitters_own(make_node):
    node = make_node(None)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        bob = register(client, "Bob", ["supplier"])
        cid = client.post(
            "/evidence", files={"file": ("a.txt", b"alice's meter")}, headers=alice.auth
        ).json()["cid"]
    subject = activity(alice.did)
    subject["inputs"]["electricity"][0]["evidence"] = [cid]
    cited = cited_cids(subject, "credentialSubject")
    assert cited[cid] == "credentialSubject.inputs.electricity[0].evidence[0]"
    assert len(cited) >= 4  # the example cites more files at other inputs
    with node.db.transaction() as session:
        alice_org = session.get(Organisation, alice.id)
        bob_org = session.get(Organisation, bob.id)
        check_cited_evidence(session, alice_org, [cid])
        with pytest.raises(ValidationFailed) as caught:
            check_cited_evidence(
                session, bob_org, {cid: "credentialSubject.inputs.electricity[0].evidence[0]"}
            )
        assert caught.value.field == "credentialSubject.inputs.electricity[0].evidence[0]"
        assert cid in caught.value.detail
        with pytest.raises(ValidationFailed) as caught:  # the example's CIDs were never uploaded
            check_cited_evidence(session, alice_org, cited)
        assert caught.value.status == 422
