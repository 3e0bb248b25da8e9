"""Footprint documents and report inputs shaped as the node stores them, from real engine results."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from footprint_engine.calculate import FootprintResult
from node_service.log.append import canonical_sha256, make_entry
from node_service.services.reports.model import ReportInput

ORG_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def footprint_document(result: FootprintResult, footprint_id: str = "5f1c7a0e-report-test") -> dict[str, Any]:
    """The document the node stores for ``result`` (node_service.services.footprints.documents shape)."""
    return {
        "id": footprint_id,
        "version": 1,
        "type": "ProductCarbonFootprint",
        "productId": result.product_identifier,
        "productName": result.product_name,
        "organisation": ORG_DID,
        "submissionId": "urn:uuid:0d7f2b7c-6a54-4d0e-9d1e-6b1c1f0f7d11",
        "reportingPeriod": {
            "start": result.reporting_period_start.isoformat(),
            "end": result.reporting_period_end.isoformat(),
        },
        "declaredUnit": result.declared_unit,
        "result": result.model_dump(mode="json", by_alias=True),
        "createdAt": "2025-02-01T08:00:00Z",
    }


def report_input(result: FootprintResult, *, anchored: bool) -> ReportInput:
    document = footprint_document(result)
    sha = canonical_sha256(document)
    entry = make_entry("footprint", document["id"], sha, ORG_DID)
    receipt = None
    if anchored:
        receipt = {
            "receiptVersion": 1,
            "entry": entry,
            "leafIndex": 5,
            "treeSize": 8,
            "rootHash": "9d" * 32,
            "inclusionProof": ["a1" * 32, "b2" * 32, "c3" * 32],
            "anchor": {
                "chainId": 31337,
                "contract": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "transactionHash": "0x" + "7e" * 32,
                "blockNumber": 42,
            },
        }
    return ReportInput(
        document=document,
        document_sha256=sha,
        organisation_name={"zh": "云南示例铝业有限公司", "en": "Yunnan Example Aluminium Co., Ltd."},
        log_entry=entry,
        leaf_index=5,
        receipt=receipt,
        generated_at=datetime(2025, 2, 2, 9, 30, tzinfo=UTC),
    )
