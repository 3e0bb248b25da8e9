"""The one real path through the HTTP API, on SQLite and on PostgreSQL, with anvil as the chain."""

from __future__ import annotations

import hashlib
import json

import rfc8785
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.app import create_app
from node_service.db.models import Anchor, LogEntry
from node_service.log.tree_store import subtree_cache
from node_service.transparency.tiles import TILE_BYTES
from node_service.verification import verify_receipt
from tests.node_service.helpers import register, signed_activity, wait_receipt


def test_signed_data_to_verified_on_chain_receipt(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        supplier = register(client, "Supplier", ["supplier"])
        buyer = register(client, "Buyer", ["buyer"])

        credential = signed_activity(supplier)
        resp = client.post("/submissions", json=credential)
        assert resp.status_code == 201, resp.text
        submission = resp.json()
        footprint_id = submission["footprintId"]

        # the buyer sees nothing until the supplier shares
        assert client.get(f"/footprints/{footprint_id}", headers=buyer.auth).status_code == 404
        assert client.get(f"/receipts/{footprint_id}", headers=buyer.auth).status_code == 404
        shared = client.post(
            f"/footprints/{footprint_id}/shares", json={"organisation": buyer.did}, headers=supplier.auth
        )
        assert shared.status_code == 201, shared.text
        footprint = client.get(f"/footprints/{footprint_id}", headers=buyer.auth).json()
        assert footprint["document"]["productId"] == credential["credentialSubject"]["productIdentifier"]

        for entry_id, document in ((credential["id"], credential), (footprint_id, footprint["document"])):
            receipt = wait_receipt(client, entry_id, buyer)
            assert set(receipt) == {
                "receiptVersion",
                "entry",
                "leafIndex",
                "treeSize",
                "rootHash",
                "inclusionProof",
                "anchor",
            }
            assert set(receipt["anchor"]) == {"chainId", "contract", "transactionHash", "blockNumber"}
            assert receipt["anchor"]["chainId"] == 31337
            assert receipt["entry"]["sha256"] == hashlib.sha256(rfc8785.dumps(document)).hexdigest()
            assert len(receipt["entry"]["nonce"]) == 32
            report = verify_receipt(receipt, rpc_url=node.devnet.rpc_url)
            assert report.ok, [c for c in report.checks if not c.ok]
            assert {c.name for c in report.checks} >= {"inclusion", "on-chain-head", "transaction", "time"}

        # the chain agrees with the database
        with node.db.transaction() as session:
            size = session.execute(select(func.count()).select_from(LogEntry)).scalar_one()
            latest = session.execute(select(func.max(Anchor.tree_size))).scalar_one()
        assert node.chain.latest_tree_size(node.deployment.contract_address) == latest <= size


def test_resubmitting_the_same_credential_is_idempotent(make_node, tmp_path):
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        supplier = register(client, "Supplier", ["supplier"])
        credential = signed_activity(supplier)
        first = client.post("/submissions", json=credential)
        again = client.post("/submissions", json=json.loads(json.dumps(credential)))
        assert first.status_code == 201 and again.status_code == 200
        assert first.json() == again.json()


def test_health_and_readiness(make_node, tmp_path):
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}", log_tile_cache_mib=1)
    cache = subtree_cache(node.db.engine)  # the log's cache, sized from TANLIAN_LOG_TILE_CACHE_MIB
    assert cache is not None and cache.tile_capacity == (1 << 20) // TILE_BYTES == 528
    with TestClient(create_app(node=node)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["ready"] is True
        assert set(ready.json()["checks"]) == {"database", "chain", "evidenceStore"}
        node.devnet.stop()  # the chain goes away
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["chain"]["ok"] is False
