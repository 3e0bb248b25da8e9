"""Verification packages: a zip an auditor can check without trusting the node.

Layout (``manifest.json`` lists every item and the receipt that covers it)::

    manifest.json                  {"packageVersion": 1, "footprintId", "items": [{"kind", "id", "content", "receipt"}]}
    footprint.json                 the footprint as served by GET /footprints/{id}
    submissions/<n>.json           the signed activity-data credential(s) behind it
    gec-claims/<n>.json            the GEC claims recorded for the submission
    evidence/<cid>/<file name>     the evidence files the requester may see
    receipts/<n>.json              a receipt (DESIGN.md format) for each item
    report.md                      the checks below, run by the node when it built the package

``verify_package`` is the checklist, per item:
  (1) the receipt verifies offline and against the item's content (``verify_receipt`` steps 1-4), and on
      chain when an RPC URL is given (steps 5-6);
  (2) the receipt's entry is the item's (type and id);
  (3) submissions: the eddsa-jcs-2022 proof of the credential verifies;
  (4) the footprint document names the submission in the package.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from node_service.verification.receipt import Check, verify_receipt

__all__ = ["PACKAGE_VERSION", "PackageReport", "render_markdown", "verify_package"]

PACKAGE_VERSION = 1
MAX_MEMBERS = 10_000


@dataclass
class PackageReport:
    footprint_id: str
    results: list[tuple[str, list[Check]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(c.ok for _, checks in self.results for c in checks)

    def add(self, item: str, checks: list[Check]) -> None:
        self.results.append((item, checks))


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def verify_package(path: Path, *, rpc_url: str | None = None) -> PackageReport:
    """Run every check on the package at ``path`` (see the module's checklist)."""
    with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory(prefix="tanlian-package-") as tmp:
        names = zf.namelist()
        if len(names) > MAX_MEMBERS or not all(_safe_member(n) for n in names):
            report = PackageReport("?")
            report.add("package", [Check("layout", False, "too many members or an unsafe member path")])
            return report
        manifest = json.loads(zf.read("manifest.json"))
        report = PackageReport(str(manifest.get("footprintId")))
        if manifest.get("packageVersion") != PACKAGE_VERSION:
            report.add(
                "package", [Check("version", False, f"packageVersion {manifest.get('packageVersion')!r}")]
            )
            return report
        submission_ids = []
        for item in manifest["items"]:
            label = f"{item['kind']} {item['id']}"
            content = Path(zf.extract(item["content"], tmp))
            receipt = json.loads(zf.read(item["receipt"]))
            # (1)
            checks = list(verify_receipt(receipt, rpc_url=rpc_url, file=content).checks)
            # (2)
            entry = receipt.get("entry", {})
            same = entry.get("type") == item["kind"] and entry.get("id") == item["entryId"]
            checks.append(
                Check(
                    "entry", same, f"receipt entry {entry.get('type')} {entry.get('id')}, item {item['kind']}"
                )
            )
            # (3)
            if item["kind"] == "submission":
                submission_ids.append(item["id"])
                checks.append(_check_signature(json.loads(content.read_text())))
            report.add(label, checks)
        # (4)
        footprint = json.loads(zf.read("footprint.json"))
        named = footprint.get("document", {}).get("submissionId")
        report.add(
            "footprint document",
            [
                Check(
                    "submission",
                    named in submission_ids,
                    f"names submission {named}, package has {submission_ids}",
                )
            ],
        )
        return report


def _check_signature(credential: dict[str, Any]) -> Check:
    from node_service.credentials.eddsa_jcs_2022 import verify
    from node_service.credentials.errors import CredentialError

    try:
        proof = verify(credential)
    except CredentialError as exc:
        return Check("signature", False, f"eddsa-jcs-2022 proof does not verify: {exc}")
    return Check("signature", True, f"eddsa-jcs-2022 proof by {proof.verification_method} verifies")


def render_markdown(report: PackageReport, *, chain_checked: bool) -> str:
    """A human-readable report of every check."""
    total = sum(len(checks) for _, checks in report.results)
    failed = sum(1 for _, checks in report.results for c in checks if not c.ok)
    lines = [
        f"# Verification report — footprint {report.footprint_id}",
        "",
        f"**Result: {'all checks passed' if report.ok else f'{failed} of {total} checks FAILED'}**"
        + ("" if chain_checked else " (offline checks only: no chain endpoint was given)"),
        "",
        "Each item's receipt is checked by `node_service.verification.verify_receipt`: shape, leaf hash "
        "(SHA-256 of 0x00 || RFC 8785 entry), RFC 9162 inclusion proof, the content's SHA-256 (and CID for "
        "evidence), and on chain the tree head, the anchoring transaction and the time. Re-run them with "
        "`tanlian receipt verify receipts/N.json --file CONTENT --rpc URL`.",
        "",
    ]
    for item, checks in report.results:
        lines += [f"## {item}", "", "| check | result | detail |", "|---|---|---|"]
        for c in checks:
            detail = c.detail.replace("|", "\\|")
            lines.append(f"| {c.name} | {'PASS' if c.ok else '**FAIL**'} | {detail} |")
        lines.append("")
    return "\n".join(lines)
