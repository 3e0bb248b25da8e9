"""Section 9 of the report: the footprint's log entry and, once anchored, its receipt and the steps to check it.

The steps mirror node_service.verification.receipt (the auditor's checklist), written for a reader with
any SHA-256 implementation and any Ethereum client.
"""

from __future__ import annotations

import json

from node_service.credentials.jcs import canonicalize
from node_service.services.reports.messages import Catalogue
from node_service.services.reports.model import (
    Block,
    Code,
    Fields,
    Paragraph,
    ReportInput,
    Section,
    Steps,
    Subheading,
)
from node_service.transparency import entry_leaf_hash

__all__ = ["verification_section"]


def verification_section(c: Catalogue, data: ReportInput) -> Section:
    fid = str(data.document.get("id", ""))
    blocks: list[Block] = [Paragraph(c.t("verification_intro"))]
    entry = data.log_entry
    leaf = entry_leaf_hash(entry).hex() if entry is not None else "–"
    blocks.append(Subheading(c.t("log_entry")))
    blocks.append(
        Fields(
            (
                (c.t("document_sha256"), data.document_sha256),
                (c.t("leaf_index"), str(data.leaf_index) if data.leaf_index is not None else "–"),
                (c.t("leaf_hash"), leaf),
            ),
            mono=True,
        )
    )
    if entry is not None:
        blocks.append(Paragraph(c.t("entry_json"), "note"))
        canonical = canonicalize(entry).decode()
        blocks.append(
            Code(tuple(json.dumps(json.loads(canonical), indent=1, ensure_ascii=False).splitlines()))
        )
    blocks.append(Subheading(c.t("receipt")))
    rc = data.receipt
    steps: tuple[str, ...]
    if rc is None:
        blocks.append(Paragraph(c.t("not_anchored", index=data.leaf_index), "warning"))
        steps = (
            c.t("step_1", id=fid, sha=data.document_sha256),
            c.t("step_2", leaf=leaf),
            c.t("step_pending"),
        )
    else:
        anchor = rc["anchor"]
        blocks.append(
            Fields(
                (
                    (c.t("tree_size"), str(rc["treeSize"])),
                    (c.t("root_hash"), str(rc["rootHash"])),
                    (c.t("chain_id"), str(anchor["chainId"])),
                    (c.t("contract"), str(anchor["contract"])),
                    (c.t("tx_hash"), str(anchor["transactionHash"])),
                    (c.t("block"), str(anchor["blockNumber"])),
                ),
                mono=True,
            )
        )
        proof = rc.get("inclusionProof") or []
        blocks.append(Paragraph(c.t("inclusion_proof"), "note"))
        blocks.append(Code(tuple(f"{i}: {h}" for i, h in enumerate(proof)) or ("–",)))
        steps = (
            c.t("step_1", id=fid, sha=data.document_sha256),
            c.t("step_2", leaf=leaf),
            c.t("step_3", index=rc["leafIndex"], size=rc["treeSize"], root=rc["rootHash"]),
            c.t(
                "step_4",
                chain=anchor["chainId"],
                contract=anchor["contract"],
                size=rc["treeSize"],
                tx=anchor["transactionHash"],
                block=anchor["blockNumber"],
            ),
        )
    blocks.append(Subheading(c.t("steps")))
    blocks.append(Steps((*steps, c.t("step_cli", id=fid))))
    return Section(9, c.t("s_verification"), tuple(blocks))
