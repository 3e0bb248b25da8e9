"""Verify a receipt (DESIGN.md format) offline and against the chain.

The checklist an auditor follows; each step is one ``Check`` in the report:
  (1) shape: receiptVersion 1, every field present, hashes are 32-byte hex, leafIndex < treeSize;
  (2) leaf: SHA-256(0x00 || RFC 8785(entry)) — the entry exactly as logged;
  (3) inclusion: the RFC 9162 audit path from the leaf reproduces rootHash at treeSize;
  (4) content (when a file or document is given): its SHA-256 equals entry.sha256 (and, for evidence, its
      CIDv1 equals entry.cid);
  (5) chain (when an RPC URL is given): the endpoint's chain id is the receipt's; the contract's
      treeHead(treeSize) returns rootHash; the transaction is mined in blockNumber, sent to the contract;
  (6) time: the entry's time is not after the head's on-chain anchoredAt, give or take the clock tolerance
      (``CLOCK_TOLERANCE_SECONDS``: a block's timestamp is its producer's clock in whole seconds, not the node's).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from node_service.credentials.jcs import CanonicalizationError, canonicalize
from node_service.errors import NodeError
from node_service.transparency import entry_leaf_hash, root_from_inclusion_proof
from node_service.transparency.errors import MerkleError

__all__ = ["CLOCK_TOLERANCE_SECONDS", "Check", "ReceiptError", "time_check", "verify_receipt"]

CLOCK_TOLERANCE_SECONDS = 15
"""How far an entry's time may lie after its head's ``anchoredAt``: the node's clock and the block producer's
are two clocks, and a block's timestamp is whole seconds, set by its producer (anvil's lags the wall clock by
a second or two under load; geth accepts blocks up to 15 s in the future). An entry logged later than that
after the head that includes it was anchored is a wrong time or a wrong head."""

TREE_HEAD_ABI = [
    {
        "type": "function",
        "name": "treeHead",
        "stateMutability": "view",
        "inputs": [{"name": "treeSize", "type": "uint64"}],
        "outputs": [{"name": "rootHash", "type": "bytes32"}, {"name": "anchoredAt", "type": "uint64"}],
    }
]


class ReceiptError(NodeError):
    problem = "receipt-invalid"
    title = "Receipt does not verify"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def _hex32(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    text = value[2:] if value.startswith("0x") else value
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def verify_receipt(
    receipt: dict[str, Any],
    *,
    rpc_url: str | None = None,
    file: Path | None = None,
) -> Report:
    report = Report()
    # (1)
    required = ("receiptVersion", "entry", "leafIndex", "treeSize", "rootHash", "inclusionProof", "anchor")
    missing = [k for k in required if k not in receipt]
    if missing:
        report.add("shape", False, f"missing fields: {', '.join(missing)}")
        return report
    root = _hex32(receipt["rootHash"])
    proof = (
        [_hex32(p) for p in receipt["inclusionProof"]]
        if isinstance(receipt["inclusionProof"], list)
        else [None]
    )
    leaf_index, tree_size = receipt["leafIndex"], receipt["treeSize"]
    entry = receipt["entry"]
    problems = []
    if receipt["receiptVersion"] != 1:
        problems.append(f"receiptVersion {receipt['receiptVersion']!r}, want 1")
    if root is None:
        problems.append("rootHash is not 32-byte hex")
    if any(p is None for p in proof):
        problems.append("inclusionProof holds a value that is not 32-byte hex")
    if not (isinstance(leaf_index, int) and isinstance(tree_size, int) and 0 <= leaf_index < tree_size):
        problems.append(f"leafIndex {leaf_index!r} must be an integer below treeSize {tree_size!r}")
    if not isinstance(entry, dict) or not {"type", "id", "sha256", "organisation", "time", "nonce"} <= set(
        entry
    ):
        problems.append("entry lacks one of type, id, sha256, organisation, time, nonce")
    if not report.add("shape", not problems, "; ".join(problems) or "all fields present and well formed"):
        return report
    assert root is not None
    # (2)
    leaf = entry_leaf_hash(entry)
    report.add("leaf", True, f"leaf hash {leaf.hex()} (SHA-256 of 0x00 || RFC 8785 entry)")
    # (3)
    try:
        computed = root_from_inclusion_proof(leaf_index, tree_size, leaf, [p for p in proof if p is not None])
        same = computed == root
        report.add(
            "inclusion",
            same,
            f"audit path of {len(proof)} hashes gives root {computed.hex()}"
            + ("" if same else f", want {root.hex()}"),
        )
    except MerkleError as exc:
        report.add("inclusion", False, str(exc))
    # (4)
    if file is not None:
        _check_content(report, entry, file)
    # (5) and (6)
    if rpc_url is not None:
        _check_chain(report, receipt, root, rpc_url)
    return report


def _check_content(report: Report, entry: dict[str, Any], file: Path) -> None:
    data_hash = hashlib.sha256()
    with file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            data_hash.update(chunk)
    digest = data_hash.hexdigest()
    if entry["type"] != "evidence" and digest != entry["sha256"]:
        # documents are logged by the SHA-256 of their RFC 8785 form: accept a JSON file in any formatting
        try:
            document = json.loads(file.read_bytes())
            if isinstance(document, dict) and set(document) == {"id", "sha256", "document"}:
                document = document["document"]  # a footprint as served by GET /footprints/{id}
            digest = hashlib.sha256(canonicalize(document)).hexdigest()
        except (ValueError, TypeError, CanonicalizationError):
            pass
    report.add(
        "content",
        digest == entry["sha256"],
        f"SHA-256 of {file.name} is {digest}"
        + ("" if digest == entry["sha256"] else f", want {entry['sha256']}"),
    )
    if entry["type"] == "evidence" and "cid" in entry:
        from node_service.evidence import cid_of_file

        cid = cid_of_file(file, sha256=False).cid
        report.add(
            "cid",
            cid == entry["cid"],
            f"CIDv1 {cid}" + ("" if cid == entry["cid"] else f", want {entry['cid']}"),
        )


def _check_chain(report: Report, receipt: dict[str, Any], root: bytes, rpc_url: str) -> None:
    from web3 import Web3

    anchor = receipt["anchor"]
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 15}))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:
        report.add("chain", False, f"cannot reach {rpc_url}: {type(exc).__name__}")
        return
    if not report.add(
        "chain-id",
        chain_id == anchor.get("chainId"),
        f"endpoint chain id {chain_id}, receipt {anchor.get('chainId')}",
    ):
        return
    contract = w3.eth.contract(address=Web3.to_checksum_address(anchor["contract"]), abi=TREE_HEAD_ABI)
    on_chain_root, anchored_at = contract.functions.treeHead(receipt["treeSize"]).call()
    on_chain_root = bytes(on_chain_root)
    report.add(
        "on-chain-head",
        on_chain_root == root,
        f"treeHead({receipt['treeSize']}) = {on_chain_root.hex()} anchored at {anchored_at}"
        + ("" if on_chain_root == root else f", want {root.hex()}"),
    )
    try:
        tx = w3.eth.get_transaction_receipt(anchor["transactionHash"])
    except Exception as exc:  # TransactionNotFound, or a malformed hash
        report.add("transaction", False, f"transaction {anchor['transactionHash']}: {type(exc).__name__}")
        tx = None
    if tx is not None:
        _check_transaction(report, tx, anchor)
    report.add("time", *time_check(_parse_time(receipt["entry"]["time"]), int(anchored_at)))


def time_check(entry_time: datetime, anchored_at: int) -> tuple[bool, str]:
    """Check (6): whether an entry logged at ``entry_time`` can be in a head anchored at ``anchored_at`` (a
    block timestamp, Unix seconds; 0 when the head is not on chain), and the detail saying so."""
    if anchored_at <= 0:
        return False, "the head is not anchored (anchoredAt 0)"
    head_time = datetime.fromtimestamp(anchored_at, UTC)
    late = (entry_time - head_time).total_seconds()
    detail = f"entry logged {entry_time.isoformat()}, head anchored {head_time.isoformat()}"
    if late > CLOCK_TOLERANCE_SECONDS:
        return (
            False,
            f"{detail}: the entry is {late:.1f} s later, over the {CLOCK_TOLERANCE_SECONDS} s clock tolerance",
        )
    if late > 0:
        detail += f" ({late:.1f} s before the entry, within the {CLOCK_TOLERANCE_SECONDS} s clock tolerance)"
    return True, detail


def _check_transaction(report: Report, tx: Any, anchor: dict[str, Any]) -> None:
    to = str(tx["to"] or "").lower()
    mined_ok = (
        tx["status"] == 1
        and int(tx["blockNumber"]) == anchor["blockNumber"]
        and to == anchor["contract"].lower()
    )
    report.add(
        "transaction",
        mined_ok,
        f"transaction {anchor['transactionHash']} status {tx['status']} in block {tx['blockNumber']} to {tx['to']}",
    )
