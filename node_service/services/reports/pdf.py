"""Render a :class:`ReportContent` to PDF (A4) with ReportLab, the CJK TrueType font embedded as a subset."""

from __future__ import annotations

import io
import threading
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from node_service.services.reports.fonts import ReportFonts, report_fonts
from node_service.services.reports.model import (
    BarChart,
    Block,
    Code,
    Fields,
    Paragraph,
    ReportContent,
    Steps,
    Subheading,
    Table,
)

__all__ = ["render_pdf"]

ACCENT = colors.HexColor("#1f6f4a")  # 碳链 green
GRID = colors.HexColor("#c8d3cc")
HEADER_BG = colors.HexColor("#e6efe9")
WARN_BG = colors.HexColor("#fff4e0")
WARN_FG = colors.HexColor("#8a4b00")
MARGIN = 18 * mm

# ReportLab keeps per-document state on registered TrueType fonts: one build at a time per process.
_build_lock = threading.Lock()


class _Styles:
    def __init__(self, fonts: ReportFonts, lang: str) -> None:
        wrap = "CJK" if lang == "zh" else None
        base: dict[str, Any] = {"fontName": fonts.text, "wordWrap": wrap}
        self.title = ParagraphStyle("title", fontSize=20, leading=26, textColor=ACCENT, spaceAfter=4, **base)
        self.subtitle = ParagraphStyle("subtitle", fontSize=9.5, leading=13, spaceAfter=10, **base)
        self.headline = ParagraphStyle("headline", fontSize=14, leading=19, textColor=colors.white, **base)
        self.h1 = ParagraphStyle(
            "h1", fontSize=14, leading=18, textColor=ACCENT, spaceBefore=12, spaceAfter=6, **base
        )
        self.h2 = ParagraphStyle("h2", fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=4, **base)
        self.body = ParagraphStyle("body", fontSize=9, leading=13, spaceAfter=4, **base)
        self.note = ParagraphStyle(
            "note", fontSize=7.5, leading=10, textColor=colors.HexColor("#555555"), **base
        )
        self.warning = ParagraphStyle(
            "warning",
            fontSize=8.5,
            leading=12,
            textColor=WARN_FG,
            backColor=WARN_BG,
            borderPadding=5,
            spaceBefore=6,
            spaceAfter=8,
            **base,
        )
        self.cell = ParagraphStyle("cell", fontSize=7.5, leading=9.8, **base)
        self.cell_right = ParagraphStyle("cell_right", parent=self.cell, alignment=TA_RIGHT)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, textColor=ACCENT)
        self.cell_mono = ParagraphStyle(
            "cell_mono", fontName=fonts.mono, fontSize=7, leading=9.5, wordWrap="CJK"
        )
        self.label = ParagraphStyle("label", parent=self.cell, fontSize=8, leading=10.5, textColor=ACCENT)
        self.value = ParagraphStyle("value", parent=self.cell, fontSize=8, leading=10.5)
        self.step = ParagraphStyle("step", parent=self.body, leftIndent=14, firstLineIndent=-14, spaceAfter=3)
        self.code = ParagraphStyle("code", fontName=fonts.mono, fontSize=6.8, leading=8.6, leftIndent=6)


class _Renderer:
    def __init__(self, content: ReportContent, fonts: ReportFonts) -> None:
        self.content = content
        self.fonts = fonts
        self.s = _Styles(fonts, content.lang)
        self.width = A4[0] - 2 * MARGIN - 12  # the frame's own 6 pt padding on each side

    def p(self, text: str, style: ParagraphStyle) -> RLParagraph:
        return RLParagraph(escape(self.fonts.sanitise(text)), style)

    def story(self) -> list[Flowable]:
        c = self.content
        out: list[Flowable] = [self.p(c.title, self.s.title), self.p(c.subtitle, self.s.subtitle)]
        banner = RLTable([[self.p(c.headline, self.s.headline)]], colWidths=[self.width])
        banner.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), ACCENT),
                    ("TOPPADDING", (0, 0), (-1, -1), 8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ]
            )
        )
        out += [banner, Spacer(1, 8), self.fields(c.cover)]
        if c.warning:
            out.append(self.p(c.warning, self.s.warning))
        for section in c.sections:
            heading = self.p(f"{section.number}  {section.title}", self.s.h1)
            out.append(CondPageBreak(40 * mm))
            groups = self.groups(section.blocks)
            out.append(KeepTogether([heading, *groups[0]]) if groups else heading)
            out.extend(KeepTogether(g) if len(g) > 1 else g[0] for g in groups[1:])
        return out

    def groups(self, blocks: tuple[Block, ...]) -> list[list[Flowable]]:
        """The section's flowables; a subheading, or a note captioning code, stays with the block after it."""
        out: list[list[Flowable]] = []
        pending: list[Flowable] = []
        for i, block in enumerate(blocks):
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            caption = isinstance(block, Paragraph) and block.kind == "note" and isinstance(following, Code)
            if isinstance(block, Steps):  # flat, so that the group can keep them with their subheading
                pending.extend(self.p(f"{i}. {item}", self.s.step) for i, item in enumerate(block.items, 1))
            else:
                pending.append(self.block(block))
            if not (isinstance(block, Subheading) or caption):
                out.append(pending)
                pending = []
        if pending:
            out.append(pending)
        return out

    def block(self, block: Block) -> Flowable:
        if isinstance(block, Paragraph):
            style = {"note": self.s.note, "warning": self.s.warning}.get(block.kind, self.s.body)
            return self.p(block.text, style)
        if isinstance(block, Subheading):
            return self.p(block.text, self.s.h2)
        if isinstance(block, Fields):
            return self.fields(block)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, BarChart):
            return self.chart(block)
        if isinstance(block, Steps):
            return KeepTogether(
                [self.p(f"{i}. {item}", self.s.step) for i, item in enumerate(block.items, 1)]
            )
        if isinstance(block, Code):
            text = "\n".join(self.fonts.sanitise(line) for line in block.lines)
            return Preformatted(text, self.s.code, maxLineLength=110, newLineChars="")
        raise TypeError(f"report block: got {type(block).__name__}, want one of the model's blocks")

    def fields(self, fields: Fields) -> RLTable:
        value_style = self.s.cell_mono if fields.mono else self.s.value
        rows = [[self.p(k, self.s.label), self.p(v, value_style)] for k, v in fields.rows]
        table = RLTable(rows, colWidths=[0.3 * self.width, 0.7 * self.width])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                ]
            )
        )
        return table

    def table(self, table: Table) -> RLTable:
        def cell(i: int, text: str) -> RLParagraph:
            if i in table.mono:
                return self.p(text, self.s.cell_mono)
            return self.p(text, self.s.cell_right if i in table.numeric else self.s.cell)

        head = [
            self.p(h, ParagraphStyle("h", parent=self.s.cell_head, alignment=TA_RIGHT))
            if i in table.numeric
            else self.p(h, self.s.cell_head)
            for i, h in enumerate(table.header)
        ]
        rows = [head, *([cell(i, v) for i, v in enumerate(row)] for row in table.rows)]
        out = RLTable(rows, colWidths=[w * self.width for w in table.widths], repeatRows=1)
        out.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return out

    def chart(self, chart: BarChart) -> Drawing:
        n = max(1, len(chart.values))
        label_width = 95.0
        height = 18 * n + 36
        drawing = Drawing(self.width, height)
        drawing.initialFontName = self.fonts.text  # else the renderer starts by selecting Helvetica
        bars = HorizontalBarChart()
        bars.x, bars.y = label_width, 24
        bars.width, bars.height = self.width - label_width - 60, height - 30
        bars.data = [list(chart.values) or [0.0]]
        bars.bars[0].fillColor = ACCENT
        bars.bars[0].strokeColor = None
        bars.categoryAxis.categoryNames = [self.fonts.sanitise(label) for label in chart.labels] or [""]
        bars.categoryAxis.labels.fontName = self.fonts.text
        bars.categoryAxis.labels.fontSize = 8
        bars.categoryAxis.labels.boxAnchor = "e"
        bars.categoryAxis.reverseDirection = 1
        bars.valueAxis.valueMin = 0
        bars.valueAxis.labels.fontName = self.fonts.text
        bars.valueAxis.labels.fontSize = 7
        bars.valueAxis.labelTextFormat = "{:,.0f}".format
        bars.barLabelFormat = "{:,.1f}".format
        bars.barLabels.fontName = self.fonts.text
        bars.barLabels.fontSize = 7
        bars.barLabels.boxAnchor = "w"
        bars.barLabels.dx = 3
        drawing.add(bars)
        drawing.add(
            String(bars.x + bars.width, 4, chart.unit, fontName=self.fonts.text, fontSize=7, textAnchor="end")
        )
        return drawing

    def decorate(self, canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 14 * mm, A4[0] - MARGIN, 14 * mm)
        canvas.setFont(self.fonts.text, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        footer = self.fonts.sanitise(self.content.footer)
        canvas.drawString(MARGIN, 10 * mm, footer[:110])
        page = self.fonts.sanitise(self.content.page_label.format(n=doc.page))
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, page)
        canvas.drawRightString(A4[0] - MARGIN, A4[1] - 11 * mm, self.fonts.sanitise(self.content.title))
        canvas.restoreState()


def render_pdf(content: ReportContent, *, fonts: ReportFonts | None = None) -> bytes:
    """The PDF bytes of ``content``; raises ReportFontMissing when no CJK TrueType font is installed."""
    fonts = fonts or report_fonts()
    renderer = _Renderer(content, fonts)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=content.title,
        author=content.author,
        subject=content.headline,
        creator="tanlian node",
        keywords=list(content.keywords),
        lang="zh-CN" if content.lang == "zh" else "en",
        initialFontName=fonts.text,  # no unembedded Helvetica resource: every font in the file is embedded
        initialFontSize=9,
    )
    with _build_lock:
        doc.build(renderer.story(), onFirstPage=renderer.decorate, onLaterPages=renderer.decorate)
    return buffer.getvalue()
