"""Gas per TreeHeadAnchor.anchorTreeHead on anvil, by consistency-proof length.

    .venv/bin/python benchmarks/anchor_gas.py [--rpc URL]

Without --rpc it starts node_modules/.bin/anvil on a free loopback port and stops it afterwards. For each
(old size, new size) pair it deploys a fresh contract from the committed artifact, anchors the old head
(no proof), then anchors the new head with the RFC 9162 consistency proof from the log's tree, and prints
the gas used by that second transaction (includes the 21,000 base and calldata).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from web3 import Web3

from contracts import load_artifact
from node_service.transparency import InMemorySubtreeStore, MerkleTree, hash_leaf

REPO = Path(__file__).resolve().parents[1]
ANVIL = REPO / "node_modules" / ".bin" / "anvil"
PAIRS = [
    (1, 2),
    (3, 4),
    (6, 8),
    (5, 13),
    (100, 1_000),
    (1_000, 5_000),
    (7, 60_000),
    (1_023, 1_025),
    (60_001, 65_535),
]


@contextmanager
def anvil() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(ANVIL), "--port", str(port), "--silent"], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        w3 = Web3(Web3.HTTPProvider(url))
        deadline = time.monotonic() + 30
        while not w3.is_connected():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("anvil did not start — run `npm ci`")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure(w3: Web3, artifact: dict[str, Any], tree: MerkleTree) -> None:
    sender = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    deploy = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": sender}))
    print(
        f"deploy: {deploy['gasUsed']:,} gas, runtime code {len(artifact['deployedBytecode']) // 2 - 1:,} bytes"
    )
    print(f"{'old size':>9} {'new size':>9} {'proof':>6} {'gas (first head)':>17} {'gas (anchor)':>13}")
    for old, new in PAIRS:
        receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": sender}))
        c = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
        first = w3.eth.wait_for_transaction_receipt(
            c.functions.anchorTreeHead(old, tree.root(old), []).transact({"from": sender})
        )
        proof = tree.consistency_proof(old, new)
        second = w3.eth.wait_for_transaction_receipt(
            c.functions.anchorTreeHead(new, tree.root(new), proof).transact({"from": sender})
        )
        assert second["status"] == 1
        print(f"{old:>9,} {new:>9,} {len(proof):>6} {first['gasUsed']:>17,} {second['gasUsed']:>13,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rpc", help="an Ethereum JSON-RPC endpoint with unlocked accounts (default: own anvil)"
    )
    args = parser.parse_args()
    tree = MerkleTree(InMemorySubtreeStore())
    tree.append_leaves(0, [hash_leaf(os.urandom(16)) for _ in range(max(n for _, n in PAIRS))])
    artifact = load_artifact("TreeHeadAnchor")
    if args.rpc:
        measure(Web3(Web3.HTTPProvider(args.rpc)), artifact, tree)
        return
    with anvil() as url:
        measure(Web3(Web3.HTTPProvider(url)), artifact, tree)


if __name__ == "__main__":
    main()
