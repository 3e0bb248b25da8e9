"""The study report of a stored footprint: gather the document, its log entry and receipt, then render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from node_service.db.models import LogEntry, Organisation
from node_service.errors import NotReady
from node_service.services.context import NodeResources
from node_service.services.footprints.documents import footprint_for
from node_service.services.receipts import build_receipt
from node_service.services.reports.content import build_report_content
from node_service.services.reports.messages import Lang
from node_service.services.reports.model import ReportInput
from node_service.services.reports.pdf import render_pdf

__all__ = ["RenderedReport", "footprint_report", "report_input"]


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    filename: str
    anchored: bool


def report_input(node: NodeResources, footprint_id: str, viewer: Organisation) -> ReportInput:
    """What the report of ``footprint_id`` is made from, as ``viewer`` may see it (404 otherwise)."""
    with node.db.transaction() as session:
        footprint = footprint_for(session, footprint_id, viewer)
        owner = session.get(Organisation, footprint.organisation_id)
        entry = session.execute(
            select(LogEntry).where(LogEntry.entry_id == footprint.id, LogEntry.type == "footprint")
        ).scalar_one_or_none()
        document = dict(footprint.result)
        sha256 = footprint.sha256
        names = {"zh": owner.name_zh, "en": owner.name_en} if owner else {}
        logged = dict(entry.entry) if entry is not None else None
        leaf_index = entry.leaf_index if entry is not None else None
    receipt = None
    if logged is not None:
        try:
            receipt = build_receipt(node, footprint_id, viewer)
        except NotReady:
            receipt = None  # the report says "not yet anchored"
    return ReportInput(
        document=document,
        document_sha256=sha256,
        organisation_name=names,
        log_entry=logged,
        leaf_index=leaf_index,
        receipt=receipt,
        generated_at=datetime.now(UTC),
    )


def footprint_report(
    node: NodeResources, footprint_id: str, viewer: Organisation, lang: Lang
) -> RenderedReport:
    """The GB/T 24067 study report of ``footprint_id`` as PDF in ``lang``."""
    data = report_input(node, footprint_id, viewer)
    pdf = render_pdf(build_report_content(data, lang))
    version = data.document.get("version") or 0
    return RenderedReport(
        pdf=pdf,
        filename=f"cfp-report-{footprint_id}-v{version}-{lang}.pdf",
        anchored=data.receipt is not None,
    )
