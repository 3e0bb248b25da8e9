"""Build a footprint's verification package (see ``node_service.verification.package`` for the layout)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from node_service.db.models import Organisation, Submission
from node_service.services.context import NodeResources
from node_service.services.evidence_files.files import cited_cids, readable_copy
from node_service.services.evidence_files.models import GecClaimRecord
from node_service.services.footprints.documents import footprint_for
from node_service.services.receipts import build_receipt
from node_service.verification.package import PACKAGE_VERSION, render_markdown, verify_package

__all__ = ["build_package"]


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120] or "file"


def build_package(node: NodeResources, footprint_id: str, viewer: Organisation, out: Path) -> Path:
    """Write the package of ``footprint_id`` as ``viewer`` may see it to ``out`` (a zip) and return it.

    Raises NotFound when the footprint is not visible to ``viewer`` and NotReady (409) until every item is
    anchored.
    """
    # (1) what the viewer may see: the footprint, its submission, its GEC claims, the evidence it may read
    with node.db.transaction() as session:
        footprint = footprint_for(session, footprint_id, viewer)
        submission = session.get(Submission, footprint.submission_id)
        assert submission is not None
        cited = cited_cids(submission.credential.get("credentialSubject"))
        copies = [c for cid in cited if (c := readable_copy(session, viewer, cid)) is not None]
        claims = list(
            session.execute(
                select(GecClaimRecord).where(GecClaimRecord.submission_id == submission.id)
            ).scalars()
        )
        fp_body = {"id": footprint.id, "sha256": footprint.sha256, "document": footprint.result}
        credential = submission.credential
        evidence = [(c.cid, c.filename, c.entry_id) for c in copies]
        gec = [(r.serial, r.claim, r.entry_id) for r in claims]
    # (2) a receipt for each item (409 until all are anchored)
    items: list[dict[str, Any]] = [
        {"kind": "footprint", "id": footprint_id, "entryId": footprint_id, "content": "footprint.json"},
        {
            "kind": "submission",
            "id": credential["id"],
            "entryId": credential["id"],
            "content": "submissions/1.json",
        },
    ]
    items += [
        {"kind": "gec-claim", "id": serial, "entryId": entry_id, "content": f"gec-claims/{i}.json"}
        for i, (serial, _, entry_id) in enumerate(gec, 1)
    ]
    items += [
        {"kind": "evidence", "id": cid, "entryId": entry_id, "content": f"evidence/{cid}/{_safe_name(name)}"}
        for cid, name, entry_id in evidence
    ]
    for i, item in enumerate(items, 1):
        item["receipt"] = f"receipts/{i}.json"
        item["receiptDocument"] = build_receipt(node, item["entryId"], viewer)
    # (3) the zip, evidence streamed from the store
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("footprint.json", _json(fp_body))
        zf.writestr("submissions/1.json", _json(credential))
        for i, (_, claim, _) in enumerate(gec, 1):
            zf.writestr(f"gec-claims/{i}.json", _json(claim))
        for item in items:
            if item["kind"] == "evidence":
                with (
                    node.evidence.open(item["id"]) as src,
                    zf.open(item["content"], "w", force_zip64=True) as dst,
                ):
                    shutil.copyfileobj(src, dst, 1024 * 1024)
            zf.writestr(item["receipt"], _json(item.pop("receiptDocument")))
        zf.writestr(
            "manifest.json",
            _json({"packageVersion": PACKAGE_VERSION, "footprintId": footprint_id, "items": items}),
        )
    # (4) the node runs every check on what it wrote and adds the report
    rpc = node.chain.rpc_url
    report = verify_package(out, rpc_url=rpc)
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("report.md", render_markdown(report, chain_checked=True))
    return out


def temporary_package_path(node: NodeResources) -> Path:
    directory = node.settings.resolved_data_dir / "packages"
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="package-", suffix=".zip")
    import os

    os.close(fd)
    return Path(name)
