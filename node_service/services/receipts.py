"""Receipts (DESIGN.md fixed format): an entry, its inclusion proof to an anchored head, and the anchor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.db.models import Anchor, Footprint, LogEntry, Organisation, Submission
from node_service.errors import NotFound, NotReady
from node_service.services.context import NodeResources
from node_service.services.evidence_files.files import readable_copy
from node_service.services.evidence_files.models import EvidenceFile, GecClaimRecord
from node_service.services.footprints.visibility import may_see

__all__ = ["RECEIPT_VERSION", "build_receipt"]

RECEIPT_VERSION = 1


def _visible(session: Session, entry: LogEntry, viewer: Organisation) -> bool:
    if entry.organisation_did == viewer.did:
        return True
    if entry.type == "footprint":
        footprint = session.get(Footprint, entry.entry_id)
        return footprint is not None and may_see(session, footprint, viewer.id)
    if entry.type in ("submission", "gec-claim"):
        submission_id = entry.entry_id
        if entry.type == "gec-claim":
            claim = session.execute(
                select(GecClaimRecord.submission_id).where(GecClaimRecord.entry_id == entry.entry_id)
            ).scalar_one_or_none()
            # a claim that moved to a newer version of the submission stays visible via the claim document
            submission_id = claim or str(entry.entry_id).split(":", 3)[-1].rsplit(":", 1)[0]
        submission = session.get(Submission, submission_id)
        if submission is None:
            return False
        cited = session.execute(select(Footprint).where(Footprint.submission_id == submission.id)).scalars()
        return any(may_see(session, f, viewer.id) for f in cited)
    if entry.type == "evidence":
        copy = session.execute(
            select(EvidenceFile).where(EvidenceFile.entry_id == entry.entry_id)
        ).scalar_one_or_none()
        if copy is None:
            return False
        readable = readable_copy(session, viewer, copy.cid)
        return readable is not None and readable.organisation_id == copy.organisation_id
    return False


def build_receipt(node: NodeResources, entry_id: str, viewer: Organisation) -> dict[str, Any]:
    """The receipt for ``entry_id`` against the newest confirmed head that covers it."""
    dep = node.deployment
    with node.db.transaction() as session:
        entry = session.execute(select(LogEntry).where(LogEntry.entry_id == entry_id)).scalar_one_or_none()
        if entry is None or not _visible(session, entry, viewer):
            raise NotFound(f"no log entry {entry_id} visible to you", fix="check the id of the object")
        anchor = session.execute(
            select(Anchor)
            .where(
                Anchor.chain_id == dep.chain_id,
                Anchor.contract_address == dep.contract_address,
                Anchor.status == "confirmed",
                Anchor.tree_size > entry.leaf_index,
            )
            .order_by(Anchor.tree_size.desc())
            .limit(1)
        ).scalar_one_or_none()
        if anchor is None:
            raise NotReady(
                f"entry {entry_id} is logged at index {entry.leaf_index} but not anchored yet",
                fix=f"retry in about {node.settings.anchor_interval_seconds:.0f} s",
            )
        proof = node.tlog.inclusion_proof(session, entry.leaf_index, anchor.tree_size)
        return {
            "receiptVersion": RECEIPT_VERSION,
            "entry": entry.entry,
            "leafIndex": entry.leaf_index,
            "treeSize": anchor.tree_size,
            "rootHash": anchor.root_hash,
            "inclusionProof": [p.hex() for p in proof],
            "anchor": {
                "chainId": anchor.chain_id,
                "contract": anchor.contract_address,
                "transactionHash": anchor.transaction_hash,
                "blockNumber": anchor.block_number,
            },
        }
