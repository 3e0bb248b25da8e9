"""The log's anchored heads and consistency proofs between them, for auditors (no authentication needed:
heads and proofs hold hashes only, and every entry carries a random nonce)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.db import Database
from node_service.db.models import Anchor, ChainDeploymentRecord
from node_service.errors import ValidationFailed
from node_service.log.append import TransparencyLog

__all__ = ["Deployment", "anchored_heads", "consistency", "deployment_history", "exchange_contract"]


@dataclass(frozen=True)
class Deployment:
    """Where the log's heads are anchored: the chain and the anchor contract's address on it."""

    chain_id: int
    contract_address: str


def deployment_history(db: Database, chain_id: int | None = None) -> list[dict[str, Any]]:
    """Every anchor contract the node deployed (of one chain, or all), oldest first; the current one has no
    ``retiredAt``."""
    query = select(ChainDeploymentRecord).order_by(ChainDeploymentRecord.id)
    if chain_id is not None:
        query = query.where(ChainDeploymentRecord.chain_id == chain_id)
    with db.transaction() as session:
        return [
            {
                "chainId": r.chain_id,
                "contract": r.contract_address,
                "transactionHash": r.transaction_hash,
                "blockNumber": r.block_number,
                "deployedAt": r.deployed_at.isoformat(),
                "retiredAt": r.retired_at.isoformat() if r.retired_at else None,
                "retiredReason": r.retired_reason,
            }
            for r in session.execute(query).scalars()
        ]


def exchange_contract(db: Database, chain_id: object, contract: object) -> dict[str, Any] | None:
    """The deployment record of ``contract`` on ``chain_id`` if this node ever anchored there (the current
    contract or a retired one), else None."""
    if not isinstance(chain_id, int) or not isinstance(contract, str):
        return None
    found = [d for d in deployment_history(db, chain_id) if d["contract"].lower() == contract.lower()]
    return found[-1] if found else None


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
