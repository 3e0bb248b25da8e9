"""A devnet that lost its state (state file deleted while the node is stopped): the node redeploys, anchors
the database's heads again, and receipts issued afresh verify on the new chain."""

from __future__ import annotations

from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.verification import verify_receipt
from tests.node_service.chain.support import assert_reconciled
from tests.node_service.helpers import register, wait_receipt


def test_devnet_reset_reanchors_from_the_database(make_node, tmp_path):
    data = tmp_path / "data"
    node = make_node(data_dir=data)
    with TestClient(create_app(node=node)) as client:
        orgs = [register(client, f"org {i}", ["supplier"]) for i in range(2)]
        old_receipt = wait_receipt(client, orgs[0].id, orgs[0])
        register(client, "late", ["supplier"])
        old_heads = assert_reconciled(client, node.devnet.rpc_url)
    old_genesis = node.chain.genesis_hash()
    node.stop()
    (data / "devnet" / "state.json").unlink()

    node = make_node(data_dir=data)
    assert (
        node.chain.genesis_hash() != old_genesis
        or node.chain.latest_tree_size(node.deployment.contract_address) == 0
    )
    with TestClient(create_app(node=node)) as client:
        new_heads = assert_reconciled(client, node.devnet.rpc_url)
        # the same heads (sizes and roots) as before the reset, each anchored once on the new chain
        assert [(s, r) for s, r, _ in new_heads] == [(s, r) for s, r, _ in old_heads]
        receipt = wait_receipt(client, orgs[0].id, orgs[0])
        report = verify_receipt(receipt, rpc_url=node.devnet.rpc_url)
        assert report.ok, [c.as_dict() for c in report.checks if not c.ok]
    # a receipt from before the reset: its head (size and root) is on the new chain again; its transaction is
    # there too only if the re-anchoring transaction came out identical (same nonce, fees, data and block)
    stale = {c.name: c.ok for c in verify_receipt(old_receipt, rpc_url=node.devnet.rpc_url).checks}
    assert stale["inclusion"] and stale["on-chain-head"]
