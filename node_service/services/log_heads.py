"""The log as auditors read it over HTTP (``GET /log/heads``, ``GET /log/consistency``): the anchored tree heads of
the current anchor contract and RFC 9162 consistency proofs between them (node_service.log.heads), each in a
transaction of its own."""

from __future__ import annotations

from typing import Any

from node_service.log.heads import anchored_heads, consistency
from node_service.services.context import NodeResources

__all__ = ["consistency_between", "published_heads"]


def published_heads(node: NodeResources) -> dict[str, Any]:
    """Where the heads are anchored, the log's current size and every anchored head (size, root, transaction)."""
    dep = node.deployment
    with node.db.transaction() as session:
        return {
            "chainId": dep.chain_id,
            "contract": dep.contract_address,
            "logSize": node.tlog.size(session),
            "heads": anchored_heads(session, dep),
        }


def consistency_between(node: NodeResources, old_size: int, new_size: int) -> dict[str, Any]:
    """The consistency proof between two tree sizes with both roots (ValidationFailed for sizes not anchored)."""
    with node.db.transaction() as session:
        return consistency(session, node.tlog, node.deployment, old_size, new_size)
