"""Green-power contracts are claimed once across the exchange per delivery window, and the GECs bundled with a
contract are claimed with it, in the GEC-serial table: through the node's API, two organisations, one contract.
A refused submission stores and logs nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.app import create_app
from node_service.db.models import Footprint, LogEntry, Submission
from node_service.services.evidence_files.models import ContractClaimRecord, GecClaimRecord
from tests.node_service.helpers import activity, register, signed_activity

CONTRACT = "GPC-YN-2024-TEST-0042"
BUNDLED = ("GEC-2024-YN-WIND-TEST-7001", "GEC-2024-YN-WIND-TEST-7002")
CLAIM = "credentialSubject.inputs.electricity[0].greenPowerClaims[2]"


def with_contract(
    doc: dict[str, Any], contract_id: str, start: str, end: str, bundled: tuple[str, ...] = ()
) -> dict[str, Any]:
    doc["inputs"]["electricity"][0]["greenPowerClaims"].append(
        {
            "type": "green-power-contract",
            "contractId": contract_id,
            "quantityMWh": 1000,
            "generationType": "wind",
            "deliveryStart": start,
            "deliveryEnd": end,
            "bundledGecSerials": list(bundled),
        }
    )
    return doc


def _counts(node: Any) -> dict[str, int]:
    with node.db.transaction() as session:
        return {
            t.__tablename__: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Submission, Footprint, GecClaimRecord, ContractClaimRecord, LogEntry)
        }


def _problem(resp: Any, status: int, problem: str, field: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert body["type"] == f"/problems/{problem}" and body["field"] == field, body
    return body


def _contracts(node: Any) -> list[tuple[str, str, str, str]]:
    with node.db.transaction() as session:
        rows = session.execute(select(ContractClaimRecord).order_by(ContractClaimRecord.id)).scalars()
        return [(r.contract_key, r.delivery_start, r.delivery_end, r.submission_id) for r in rows]


def test_a_contract_window_is_claimed_once_across_the_exchange(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        bob = register(client, "Bob", ["supplier"])
        mine = signed_activity(
            alice, with_contract(activity(alice.did), CONTRACT, "2024-03-01", "2024-06-30", BUNDLED)
        )
        resp = client.post("/submissions", json=mine)
        assert resp.status_code == 201, resp.text
        first = resp.json()["id"]
        assert _contracts(node) == [("GPCYN2024TEST0042", "2024-03-01", "2024-06-30", first)]
        with node.db.transaction() as session:  # the bundled GECs are held, by the contract's submission
            held = {c.serial: c for c in session.execute(select(GecClaimRecord)).scalars()}
        assert {s: held[s].submission_id for s in BUNDLED} == dict.fromkeys(BUNDLED, first)
        assert held[BUNDLED[0]].claim["bundledWithContract"] == CONTRACT
        before = _counts(node)

        # Bob: the same contract in another spelling, a window overlapping Alice's — refused, nothing stored
        theirs = with_contract(activity(bob.did), "gpc yn 2024 test 0042", "2024-06-01", "2024-08-31")
        body = _problem(
            client.post("/submissions", json=signed_activity(bob, theirs)),
            409,
            "green-power-contract-claimed",
            f"{CLAIM}.contractId",
        )
        assert "2024-03-01…2024-06-30" in body["detail"] and "your submission" not in body["detail"]
        assert _counts(node) == before

        # Bob: one of the GECs Alice's contract carries, claimed on its own — refused as a serial claimed before
        serials = (BUNDLED[1], "GEC-BOB-OWN-TEST-1")
        _problem(
            client.post("/submissions", json=signed_activity(bob, activity(bob.did, gec_serials=serials))),
            409,
            "gec-serial-claimed",
            "credentialSubject.inputs.electricity[0].greenPowerClaims[0].serial",
        )
        assert _counts(node) == before

        # Bob: the same contract for a later window that does not overlap — another delivery, accepted
        later = with_contract(activity(bob.did), CONTRACT, "2024-07-01", "2024-09-30")
        resp = client.post("/submissions", json=signed_activity(bob, later))
        assert resp.status_code == 201, resp.text
        assert [c[1:3] for c in _contracts(node)] == [
            ("2024-03-01", "2024-06-30"),
            ("2024-07-01", "2024-09-30"),
        ]


def test_a_contract_claim_moves_to_the_version_that_supersedes_it(make_node):
    node = make_node(None)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        old = signed_activity(alice, with_contract(activity(alice.did), CONTRACT, "2024-03-01", "2024-06-30"))
        assert client.post("/submissions", json=old).status_code == 201
        new = signed_activity(alice, with_contract(activity(alice.did), CONTRACT, "2024-01-01", "2024-06-30"))
        resp = client.post("/submissions", json=new)
        assert resp.status_code == 201, resp.text
        assert _contracts(node) == [("GPCYN2024TEST0042", "2024-01-01", "2024-06-30", new["id"])]
        # another product of Alice's is not a new version: its claim of the same window is refused
        other = with_contract(
            activity(alice.did, productIdentifier="88.118.8/ANODE-PB"), CONTRACT, "2024-05-01", "2024-05-31"
        )
        body = _problem(
            client.post("/submissions", json=signed_activity(alice, other)),
            409,
            "green-power-contract-claimed",
            f"{CLAIM}.contractId",
        )
        assert f"your submission {new['id']}" in body["detail"]


def test_a_contract_id_without_a_canonical_form_is_refused(make_node):
    node = make_node(None)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        doc = with_contract(activity(alice.did), "GPC-\u0410-1", "2024-03-01", "2024-06-30")  # Cyrillic А
        body = _problem(
            client.post("/submissions", json=signed_activity(alice, doc)),
            422,
            "validation-failed",
            f"{CLAIM}.contractId",
        )
        assert "gec-serial-characters" in body["detail"]
        assert _contracts(node) == []
