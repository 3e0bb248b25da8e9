"""The GB/T 24067-2024 (ISO 14067:2018) CFP study report of a stored footprint, as PDF in zh-CN or en.

``build_report_content`` makes the report as data (pure); ``render_pdf`` writes it with the CJK TrueType font
embedded; ``footprint_report`` does both for a footprint on the node; ``node_service.api.reports`` serves
``GET /footprints/{id}/report.pdf?lang=zh|en``.
"""

from __future__ import annotations

from node_service.services.reports.content import build_report_content
from node_service.services.reports.errors import ReportError, ReportFontMissing, ReportLanguageInvalid
from node_service.services.reports.fonts import (
    DEBIAN_FONT_PACKAGE,
    ReportFonts,
    find_report_fonts,
    report_fonts,
)
from node_service.services.reports.messages import Catalogue, Lang, parse_lang
from node_service.services.reports.model import ReportContent, ReportInput
from node_service.services.reports.pdf import render_pdf
from node_service.services.reports.service import RenderedReport, footprint_report, report_input

__all__ = [
    "DEBIAN_FONT_PACKAGE",
    "Catalogue",
    "Lang",
    "RenderedReport",
    "ReportContent",
    "ReportError",
    "ReportFontMissing",
    "ReportFonts",
    "ReportInput",
    "ReportLanguageInvalid",
    "build_report_content",
    "find_report_fonts",
    "footprint_report",
    "parse_lang",
    "render_pdf",
    "report_fonts",
    "report_input",
]
