"""The log's anchored heads and consistency proofs between them, for auditors (no authentication needed:
heads and proofs hold hashes only, and every entry carries a random nonce)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.db.models import Anchor
from node_service.errors import ValidationFailed
from node_service.log.append import TransparencyLog

__all__ = ["Deployment", "anchored_heads", "consistency"]


@dataclass(frozen=True)
class Deployment:
    """Where the log's heads are anchored: the chain and the anchor contract's address on it."""

    chain_id: int
    contract_address: str


def anchored_heads(session: Session, deployment: Deployment) -> list[dict[str, Any]]:
    """Every confirmed head of the current anchor contract, by tree size."""
    rows = session.execute(
        select(Anchor)
        .where(
            Anchor.chain_id == deployment.chain_id,
            Anchor.contract_address == deployment.contract_address,
            Anchor.status == "confirmed",
        )
        .order_by(Anchor.tree_size)
    ).scalars()
    return [
        {
            "treeSize": a.tree_size,
            "rootHash": a.root_hash,
            "transactionHash": a.transaction_hash,
            "blockNumber": a.block_number,
        }
        for a in rows
    ]


def consistency(
    session: Session, tlog: TransparencyLog, deployment: Deployment, old_size: int, new_size: int
) -> dict[str, Any]:
    """RFC 9162 PROOF(old_size, D[new_size]) with both roots; sizes up to the largest anchored head."""
    heads = anchored_heads(session, deployment)
    largest = heads[-1]["treeSize"] if heads else 0
    # (1) sizes are checked before any hashing
    if old_size < 0:
        raise ValidationFailed(f"from: got {old_size}, want >= 0", field="from")
    if new_size < old_size:
        raise ValidationFailed(f"to: got {new_size}, want >= from ({old_size})", field="to")
    if new_size > largest:
        raise ValidationFailed(
            f"to: got {new_size}, want <= {largest}, the largest anchored tree size",
            field="to",
            fix="ask for sizes listed by GET /log/heads",
        )
    # (2) the proof and the roots it links
    proof = tlog.consistency_proof(session, old_size, new_size)
    return {
        "from": old_size,
        "to": new_size,
        "fromRoot": tlog.root(session, old_size).hex(),
        "toRoot": tlog.root(session, new_size).hex(),
        "consistencyProof": [p.hex() for p in proof],
    }
