"""One error root for the report package; each subclass is one kind of failure."""

from __future__ import annotations

from node_service.errors import NodeError

__all__ = ["ReportError", "ReportFontMissing", "ReportLanguageInvalid"]


class ReportError(NodeError):
    """Root of every error the report builder raises on purpose."""

    status = 500
    problem = "report-failed"
    title = "The report could not be made"


class ReportFontMissing(ReportError):
    """No TrueType font with CJK glyphs: the PDF cannot show Chinese text."""

    status = 503
    problem = "report-font-missing"
    title = "The report font is not installed"


class ReportLanguageInvalid(ReportError):
    status = 422
    problem = "validation-failed"
    title = "The input is not valid"
