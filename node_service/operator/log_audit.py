"""Audit of the transparency log against the chain (``tanlian log audit``).

The auditor's checklist; each step is one ``Check`` in the report, and any failure is a divergence:
  (1) heads: the anchored heads are listed by strictly increasing tree size, each root 32-byte hex;
  (2) consistency: between every two consecutive heads, the RFC 9162 consistency proof (fetched from the
      node or computed from the database) verifies — the log only grew;
  (3) chain id: the RPC endpoint serves the chain the heads were anchored on;
  (4) views: for every head, the contract's ``treeHead(treeSize)`` returns the same root;
      ``latestTreeSize()`` is the largest head;
  (5) events: the contract's ``TreeHeadAnchored`` events are exactly the heads (size, root, transaction),
      in the same order, none twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from node_service.transparency import verify_consistency
from node_service.transparency.errors import MerkleError
from node_service.verification.receipt import Report

__all__ = [
    "AnchoredHead",
    "HeadListing",
    "audit_log",
    "chain_only_ahead",
    "heads_from_database",
    "heads_from_node",
]

EVENT_ABI = [
    {
        "type": "event",
        "name": "TreeHeadAnchored",
        "anonymous": False,
        "inputs": [
            {"name": "treeSize", "type": "uint64", "indexed": True},
            {"name": "rootHash", "type": "bytes32", "indexed": False},
            {"name": "anchoredAt", "type": "uint64", "indexed": False},
        ],
    },
    {
        "type": "function",
        "name": "treeHead",
        "stateMutability": "view",
        "inputs": [{"name": "treeSize", "type": "uint64"}],
        "outputs": [{"name": "rootHash", "type": "bytes32"}, {"name": "anchoredAt", "type": "uint64"}],
    },
    {
        "type": "function",
        "name": "latestTreeSize",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "uint64"}],
    },
]


@dataclass(frozen=True)
class AnchoredHead:
    tree_size: int
    root_hash: str
    transaction_hash: str | None


@dataclass
class HeadListing:
    """What the log claims: its anchored heads and a way to get consistency proofs between sizes."""

    chain_id: int
    contract: str
    heads: list[AnchoredHead]
    consistency: Callable[[int, int], Sequence[bytes]]


def heads_from_node(url: str, *, timeout: float = 30) -> HeadListing:
    """The heads a node publishes (``GET /log/heads``) and its proofs (``GET /log/consistency``)."""
    import httpx

    base = url.rstrip("/")
    body = httpx.get(f"{base}/log/heads", timeout=timeout).raise_for_status().json()

    def consistency(old: int, new: int) -> list[bytes]:
        resp = httpx.get(f"{base}/log/consistency", params={"from": old, "to": new}, timeout=timeout)
        return [bytes.fromhex(p) for p in resp.raise_for_status().json()["consistencyProof"]]

    heads = [AnchoredHead(h["treeSize"], h["rootHash"], h.get("transactionHash")) for h in body["heads"]]
    return HeadListing(int(body["chainId"]), str(body["contract"]), heads, consistency)


def heads_from_database(database_url: str, chain_id: int) -> HeadListing:
    """The heads a node's database records for its contract on ``chain_id``, with proofs computed from it."""
    from sqlalchemy import select

    from node_service.db import create_database
    from node_service.db.models import ChainDeployment
    from node_service.log.append import TransparencyLog
    from node_service.log.heads import Deployment, anchored_heads

    db = create_database(database_url)
    tlog = TransparencyLog()
    with db.transaction() as session:
        deployment = session.execute(
            select(ChainDeployment).where(ChainDeployment.chain_id == chain_id)
        ).scalar_one_or_none()
        if deployment is None:
            raise ValueError(f"the database records no anchor contract on chain {chain_id}")
        dep = Deployment(chain_id, deployment.contract_address)
        rows = anchored_heads(session, dep)

    def consistency(old: int, new: int) -> list[bytes]:
        with db.transaction() as session:
            return tlog.consistency_proof(session, old, new)

    heads = [AnchoredHead(h["treeSize"], h["rootHash"], h["transactionHash"]) for h in rows]
    return HeadListing(chain_id, dep.contract_address, heads, consistency)


def _root(value: str) -> bytes | None:
    try:
        raw = bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def audit_log(listing: HeadListing, rpc_url: str | None) -> Report:
    report = Report()
    heads = listing.heads
    # (1)
    sizes = [h.tree_size for h in heads]
    bad_roots = [h.tree_size for h in heads if _root(h.root_hash) is None]
    increasing = all(a < b for a, b in itertools.pairwise(sizes))
    report.add(
        "heads",
        increasing and not bad_roots,
        f"{len(heads)} anchored heads, sizes {sizes[:3]}…{sizes[-1:]}"
        if heads and increasing and not bad_roots
        else f"sizes {sizes} must strictly increase; heads with a malformed root: {bad_roots}",
    )
    # (2)
    for old, new in itertools.pairwise(heads):
        old_root, new_root = _root(old.root_hash), _root(new.root_hash)
        if old_root is None or new_root is None or old.tree_size >= new.tree_size:
            continue
        try:
            proof = list(listing.consistency(old.tree_size, new.tree_size))
            verify_consistency(old.tree_size, new.tree_size, old_root, new_root, proof)
            report.add(
                "consistency",
                True,
                f"{old.tree_size} -> {new.tree_size}: proof of {len(proof)} hashes verifies",
            )
        except (MerkleError, ValueError) as exc:
            report.add("consistency", False, f"{old.tree_size} -> {new.tree_size}: {exc}")
        except Exception as exc:  # the source could not produce a proof
            report.add("consistency", False, f"{old.tree_size} -> {new.tree_size}: no proof ({exc})")
    if rpc_url is not None:
        _audit_chain(report, listing, rpc_url)
    return report


def _audit_chain(report: Report, listing: HeadListing, rpc_url: str) -> None:
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
    # (3)
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:
        report.add("chain-id", False, f"cannot reach {rpc_url}: {type(exc).__name__}")
        return
    if not report.add(
        "chain-id", chain_id == listing.chain_id, f"endpoint chain id {chain_id}, heads on {listing.chain_id}"
    ):
        return
    contract: Any = w3.eth.contract(address=Web3.to_checksum_address(listing.contract), abi=EVENT_ABI)
    # (4)
    diverging = []
    for head in listing.heads:
        root, _ = contract.functions.treeHead(head.tree_size).call()
        if bytes(root).hex() != head.root_hash.removeprefix("0x"):
            diverging.append(f"treeHead({head.tree_size}) = {bytes(root).hex()}, log says {head.root_hash}")
    report.add(
        "views",
        not diverging,
        "; ".join(diverging[:5]) or f"treeHead agrees for all {len(listing.heads)} heads",
    )
    latest = int(contract.functions.latestTreeSize().call())
    want = listing.heads[-1].tree_size if listing.heads else 0
    report.add("latest", latest == want, f"latestTreeSize() = {latest}, largest head {want}")
    # (5)
    logs = contract.events.TreeHeadAnchored.get_logs(from_block=0)
    on_chain = [
        (int(e["args"]["treeSize"]), bytes(e["args"]["rootHash"]).hex(), e["transactionHash"].to_0x_hex())
        for e in logs
    ]
    claimed = [(h.tree_size, h.root_hash.removeprefix("0x"), h.transaction_hash) for h in listing.heads]
    if on_chain == claimed:
        report.add("events", True, f"{len(on_chain)} TreeHeadAnchored events, one per head, same order")
    else:
        only_chain = [e for e in on_chain if e not in claimed]
        only_log = [h for h in claimed if h not in on_chain]
        ahead = bool(only_chain) and not only_log and on_chain[: len(claimed)] == claimed
        report.add(
            EVENTS_AHEAD if ahead else "events",
            False,
            f"events and heads differ: on chain only {only_chain[:3]}, in the log only {only_log[:3]}",
        )


EVENTS_AHEAD = "events-ahead"
"""The failed events check when the chain holds every head of the log, in order, and more after them."""


def chain_only_ahead(report: Report) -> bool:
    """Whether the only failures say that the chain has heads after the log's last one (``latest`` and
    ``events-ahead``): what an auditor sees while the node records a head it has just anchored."""
    failed = {c.name for c in report.checks if not c.ok}
    return EVENTS_AHEAD in failed and failed <= {"latest", EVENTS_AHEAD}
