"""Installations on the node: stored, versioned, logged with receipts, visible to the owner only."""

from __future__ import annotations

import hashlib

import rfc8785
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.app import create_app
from node_service.db.models import LogEntry
from node_service.services.cbam.models import CbamInstallation, CbamInstallationVersion
from node_service.verification import verify_receipt
from tests.node_service.helpers import register, wait_receipt
from tests.node_service.services.cbam.helpers import cement_document, smelter_document


def _counts(node):
    with node.db.transaction() as session:
        return tuple(
            session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (CbamInstallation, CbamInstallationVersion, LogEntry)
        )


def test_create_read_replace_with_receipts(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        exporter = register(client, "Exporter", ["exporter"])
        document = cement_document()
        created = client.post("/cbam/installations", json=document, headers=exporter.auth)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["version"] == 1 and body["installationId"] == document["installation_id"]
        assert body["installation"] == document
        assert body["sha256"] == hashlib.sha256(rfc8785.dumps(document)).hexdigest()
        assert body["entryId"] == f"{body['id']}@1"

        read = client.get(f"/cbam/installations/{body['id']}", headers=exporter.auth)
        assert read.status_code == 200 and read.json() == body

        receipt = wait_receipt(client, body["entryId"], exporter)
        assert receipt["entry"]["type"] == "installation"
        assert receipt["entry"]["sha256"] == body["sha256"]
        assert receipt["entry"]["organisation"] == exporter.did
        assert verify_receipt(receipt, rpc_url=node.devnet.rpc_url).ok

        changed = {**document, "name": "Example Cement Works, kiln 2 added"}
        replaced = client.put(f"/cbam/installations/{body['id']}", json=changed, headers=exporter.auth)
        assert replaced.status_code == 200, replaced.text
        v2 = replaced.json()
        assert (v2["id"], v2["version"], v2["entryId"]) == (body["id"], 2, f"{body['id']}@2")
        assert v2["installation"]["name"] == changed["name"] and v2["createdAt"] == body["createdAt"]
        assert client.get(f"/cbam/installations/{body['id']}", headers=exporter.auth).json() == v2
        # both versions stay in the log
        assert wait_receipt(client, v2["entryId"], exporter)["entry"]["sha256"] != body["sha256"]
        assert _counts(node)[:2] == (1, 2)


def test_other_organisations_see_nothing(make_node, tmp_path):
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        exporter = register(client, "Exporter", ["exporter"])
        other = register(client, "Competitor", ["exporter"])
        record = client.post("/cbam/installations", json=smelter_document(), headers=exporter.auth).json()
        path = f"/cbam/installations/{record['id']}"
        for resp in (
            client.get(path, headers=other.auth),
            client.put(path, json=smelter_document(), headers=other.auth),
            client.get(f"{path}/communication?period=2026&format=json", headers=other.auth),
            client.get(f"/receipts/{record['entryId']}", headers=other.auth),
            client.get("/cbam/installations/no-such-id", headers=exporter.auth),
        ):
            assert resp.status_code == 404, resp.text
            assert resp.headers["content-type"] == "application/problem+json"
        assert client.get(path).status_code == 401
        assert client.post("/cbam/installations", json=smelter_document()).status_code == 401
        # the owner's record is untouched
        assert client.get(path, headers=exporter.auth).json()["version"] == 1


def test_bad_input_names_the_field_and_stores_nothing(make_node, tmp_path):
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        exporter = register(client, "Exporter", ["exporter"])
        before = _counts(node)

        out_of_scope = smelter_document()
        out_of_scope["processes"][0]["goods"][0]["cn_code"] = "84713000"  # laptops
        no_route = smelter_document()
        del no_route["processes"][0]["goods"][0]["production_route"]
        no_name = smelter_document()
        del no_name["name"]
        unknown_field = {**smelter_document(), "colour": "red"}
        too_much_precursor = cement_document()
        too_much_precursor["processes"][1]["precursors"][0]["mass_t"] = 5_000_000
        no_factor_source = smelter_document()
        no_factor_source["grid_factor"]["source"] = ""
        cases = [
            (out_of_scope, "processes.0.goods.0.cn_code", "not in CBAM scope"),
            (no_route, "processes.0.goods.0.production_route", "production route missing"),
            (no_name, "name", "Field required"),
            (unknown_field, "colour", "Extra inputs"),
            (too_much_precursor, "mass_t", "exceeds product mass"),
            (no_factor_source, "factor_source", "source"),
            ([1, 2], "installation", "want a JSON object"),
        ]
        for document, field, words in cases:
            resp = client.post("/cbam/installations", json=document, headers=exporter.auth)
            assert resp.status_code == 422, (field, resp.text)
            problem = resp.json()
            assert resp.headers["content-type"] == "application/problem+json"
            assert problem["field"] == field, problem
            assert words in problem["detail"], problem
        assert _counts(node) == before

        # a bad replacement leaves the stored version as it was
        record = client.post("/cbam/installations", json=smelter_document(), headers=exporter.auth).json()
        bad = client.put(f"/cbam/installations/{record['id']}", json=out_of_scope, headers=exporter.auth)
        assert bad.status_code == 422
        assert client.get(f"/cbam/installations/{record['id']}", headers=exporter.auth).json() == record


def test_same_installation_id_twice_is_a_conflict(make_node, tmp_path):
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        exporter = register(client, "Exporter", ["exporter"])
        first = client.post("/cbam/installations", json=smelter_document(), headers=exporter.auth)
        again = client.post("/cbam/installations", json=smelter_document(), headers=exporter.auth)
        assert first.status_code == 201 and again.status_code == 409
        assert first.json()["id"] in again.json()["fix"]
        # another organisation may use the same operator id for its own record
        other = register(client, "Other", ["exporter"])
        assert (
            client.post("/cbam/installations", json=smelter_document(), headers=other.auth).status_code == 201
        )
