"""TreeHeadAnchor from the committed artifact, on eth-tester and on anvil, with proofs from the log's tree."""

from __future__ import annotations

import ast
import os
from typing import Any

import pytest
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from contracts import load_artifact
from node_service.transparency import (
    InMemorySubtreeStore,
    MerkleTree,
    consistency_proof_size,
    hash_leaf,
)

ARTIFACT = load_artifact("TreeHeadAnchor")
ANCHORER_ROLE = keccak(text="ANCHORER_ROLE")


def _selector(error: str) -> str:
    abi = next(e for e in ARTIFACT["abi"] if e["type"] == "error" and e["name"] == error)
    signature = f"{error}({','.join(i['type'] for i in abi['inputs'])})"
    return "0x" + keccak(text=signature)[:4].hex()


def expect_revert(error: str, call: Any, *args: Any, **kwargs: Any) -> str:
    """Run ``call`` and require a revert with custom error ``error``; return the revert data."""
    with pytest.raises((ContractCustomError, ContractLogicError, TransactionFailed)) as info:
        call(*args, **kwargs)
    if isinstance(info.value, TransactionFailed):
        # web3's eth-tester provider passes custom-error data on as "execution reverted: b'...'"
        raw = str(info.value).removeprefix("execution reverted: ")
        data = "0x" + ast.literal_eval(raw).hex() if raw.startswith(("b'", 'b"')) else raw
    else:
        data = info.value.data if isinstance(info.value.data, str) else str(info.value.data)
    assert data.startswith(_selector(error)), f"want {error}, got revert data {data!r} ({info.value})"
    return data


class Log:
    """A log whose tree grows by random leaves."""

    def __init__(self) -> None:
        self.tree = MerkleTree(InMemorySubtreeStore())
        self.size = 0

    def grow_to(self, n: int) -> None:
        self.size = self.tree.append_leaves(
            self.size, [hash_leaf(os.urandom(16)) for _ in range(n - self.size)]
        )


def deploy(w3: Web3) -> Any:
    factory = w3.eth.contract(abi=ARTIFACT["abi"], bytecode=ARTIFACT["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor().transact({"from": w3.eth.accounts[0]})
    )
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=ARTIFACT["abi"])


def anchor(
    w3: Web3, contract: Any, size: int, root: bytes, proof: list[bytes], sender: str | None = None
) -> Any:
    tx = contract.functions.anchorTreeHead(size, root, proof).transact({"from": sender or w3.eth.accounts[0]})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return receipt


def test_artifact_is_complete() -> None:
    assert ARTIFACT["contractName"] == "TreeHeadAnchor"
    assert ARTIFACT["compilerVersion"].startswith("0.8.28+commit.")
    assert len(ARTIFACT["sourceSha256"]) == 64
    names = {e.get("name") for e in ARTIFACT["abi"]}
    for name in ("anchorTreeHead", "treeHead", "latestTreeSize", "latestRootHash", "TreeHeadAnchored"):
        assert name in names
    tree_head = next(e for e in ARTIFACT["abi"] if e.get("name") == "treeHead")
    assert [i["type"] for i in tree_head["inputs"]] == ["uint64"]
    assert [(o["name"], o["type"]) for o in tree_head["outputs"]] == [
        ("rootHash", "bytes32"),
        ("anchoredAt", "uint64"),
    ]
    latest = next(e for e in ARTIFACT["abi"] if e.get("name") == "latestTreeSize")
    assert latest["inputs"] == [] and [o["type"] for o in latest["outputs"]] == ["uint64"]


def test_views_start_empty(w3: Web3) -> None:
    c = deploy(w3)
    assert c.functions.latestTreeSize().call() == 0
    assert c.functions.latestRootHash().call() == bytes(32)
    assert c.functions.treeHead(7).call() == [bytes(32), 0] or c.functions.treeHead(7).call() == (
        bytes(32),
        0,
    )
    assert c.functions.hasRole(ANCHORER_ROLE, w3.eth.accounts[0]).call()


def test_heads_anchor_with_consistency_proofs_and_views_return_them(w3: Web3) -> None:
    c, log = deploy(w3), Log()
    anchored: dict[int, tuple[bytes, int]] = {}
    previous = 0
    for size in (1, 2, 3, 8, 13, 64, 100, 1000):
        log.grow_to(size)
        root = log.tree.root(size)
        proof = log.tree.consistency_proof(previous, size) if previous else []
        receipt = anchor(w3, c, size, root, proof)
        block = w3.eth.get_block(receipt["blockNumber"])
        (event,) = c.events.TreeHeadAnchored().process_receipt(receipt)
        assert event["args"]["treeSize"] == size
        assert event["args"]["rootHash"] == root
        assert event["args"]["anchoredAt"] == block["timestamp"]
        anchored[size] = (root, block["timestamp"])
        previous = size
    for size, (root, at) in anchored.items():
        assert tuple(c.functions.treeHead(size).call()) == (root, at)
    assert tuple(c.functions.treeHead(999).call()) == (bytes(32), 0)
    assert c.functions.latestTreeSize().call() == 1000
    assert c.functions.latestRootHash().call() == anchored[1000][0]


def test_forged_extension_is_refused(w3: Web3) -> None:
    c, log, other = deploy(w3), Log(), Log()
    log.grow_to(10)
    anchor(w3, c, 10, log.tree.root(10), [])
    # (a) a different tree of the same shape: proof and root both from it
    other.grow_to(20)
    data = expect_revert(
        "ConsistencyProofMismatch",
        c.functions.anchorTreeHead(20, other.tree.root(20), other.tree.consistency_proof(10, 20)).transact,
        {"from": w3.eth.accounts[0]},
    )
    assert int(data[10:74], 16) == 0  # ProofFailure.OldRootMismatch
    # (b) our own proof, but a root that is not our tree's
    log.grow_to(20)
    data = expect_revert(
        "ConsistencyProofMismatch",
        c.functions.anchorTreeHead(20, other.tree.root(20), log.tree.consistency_proof(10, 20)).transact,
        {"from": w3.eth.accounts[0]},
    )
    assert int(data[10:74], 16) == 1  # ProofFailure.NewRootMismatch
    # (c) a history with one old leaf rewritten: its proof cannot start from the anchored head
    forged = MerkleTree(InMemorySubtreeStore())
    leaves = [log.tree.leaf_hash(i) for i in range(20)]
    leaves[4] = hash_leaf(b"rewritten")
    forged.append_leaves(0, leaves)
    expect_revert(
        "ConsistencyProofMismatch",
        c.functions.anchorTreeHead(20, forged.root(20), forged.consistency_proof(10, 20)).transact,
        {"from": w3.eth.accounts[0]},
    )
    # (d) wrong number of proof hashes
    proof = log.tree.consistency_proof(10, 20)
    data = expect_revert(
        "ConsistencyProofWrongSize",
        c.functions.anchorTreeHead(20, log.tree.root(20), proof[:-1]).transact,
        {"from": w3.eth.accounts[0]},
    )
    assert (int(data[10:74], 16), int(data[74:138], 16)) == (len(proof) - 1, len(proof))
    # nothing above changed the chain's record; the honest extension is accepted
    assert c.functions.latestTreeSize().call() == 10
    anchor(w3, c, 20, log.tree.root(20), proof)
    assert c.functions.latestRootHash().call() == log.tree.root(20)


def test_sizes_must_increase_and_roots_be_real(w3: Web3) -> None:
    c, log = deploy(w3), Log()
    log.grow_to(5)
    sender = {"from": w3.eth.accounts[0]}
    expect_revert(
        "TreeSizeNotIncreasing", c.functions.anchorTreeHead(0, log.tree.root(0), []).transact, sender
    )
    expect_revert("ZeroRootHash", c.functions.anchorTreeHead(5, bytes(32), []).transact, sender)
    expect_revert(
        "ConsistencyProofWrongSize",
        c.functions.anchorTreeHead(5, log.tree.root(5), [bytes(32)]).transact,
        sender,
    )
    anchor(w3, c, 5, log.tree.root(5), [])
    expect_revert(
        "TreeSizeNotIncreasing", c.functions.anchorTreeHead(5, log.tree.root(5), []).transact, sender
    )
    expect_revert(
        "TreeSizeNotIncreasing",
        c.functions.anchorTreeHead(4, log.tree.root(4), log.tree.consistency_proof(4, 5)).transact,
        sender,
    )


def test_only_anchorers_may_write(w3: Web3) -> None:
    c, log = deploy(w3), Log()
    admin, outsider = w3.eth.accounts[0], w3.eth.accounts[1]
    log.grow_to(3)
    data = expect_revert(
        "NotAnchorer", c.functions.anchorTreeHead(3, log.tree.root(3), []).transact, {"from": outsider}
    )
    assert data.lower().endswith(outsider[2:].lower())
    w3.eth.wait_for_transaction_receipt(
        c.functions.grantRole(ANCHORER_ROLE, outsider).transact({"from": admin})
    )
    anchor(w3, c, 3, log.tree.root(3), [], sender=outsider)
    w3.eth.wait_for_transaction_receipt(
        c.functions.revokeRole(ANCHORER_ROLE, outsider).transact({"from": admin})
    )
    log.grow_to(4)
    expect_revert(
        "NotAnchorer",
        c.functions.anchorTreeHead(4, log.tree.root(4), log.tree.consistency_proof(3, 4)).transact,
        {"from": outsider},
    )
    expect_revert(
        "AccessControlUnauthorizedAccount",
        c.functions.grantRole(ANCHORER_ROLE, outsider).transact,
        {"from": outsider},
    )


def test_on_chain_verifier_agrees_with_the_log_for_many_size_pairs(w3: Web3) -> None:
    """For each anchored old size, eth_call every later size: the honest proof passes, a tampered one fails."""
    log = Log()
    log.grow_to(40)
    sender = {"from": w3.eth.accounts[0]}
    for m in (1, 3, 4, 6, 8, 17):
        c = deploy(w3)
        anchor(w3, c, m, log.tree.root(m), [])
        for n in range(m + 1, 41, 4):
            proof = log.tree.consistency_proof(m, n)
            assert c.functions.consistencyProofSize(m, n).call() == consistency_proof_size(m, n) == len(proof)
            c.functions.anchorTreeHead(n, log.tree.root(n), proof).call(sender)
            bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            expect_revert(
                "ConsistencyProofMismatch", c.functions.anchorTreeHead(n, log.tree.root(n), bad).call, sender
            )
