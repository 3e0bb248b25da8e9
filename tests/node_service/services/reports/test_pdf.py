"""The PDF: Chinese and English text extractable, the CJK font embedded, pages that render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from node_service.services.reports import (
    DEBIAN_FONT_PACKAGE,
    ReportFontMissing,
    build_report_content,
    find_report_fonts,
    render_pdf,
    report_fonts,
)
from tests.node_service.services.reports.helpers import report_input
from tests.node_service.services.reports.pdftools import pdf_fonts, pdf_pages_png, pdf_text, require_poppler

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "reports"


@pytest.fixture(scope="module")
def pdfs(ingot_results, tmp_path_factory) -> dict[str, Path]:
    require_poppler()
    out = tmp_path_factory.mktemp("pdf")
    made = {}
    for lang in ("zh", "en"):
        content = build_report_content(report_input(ingot_results["mc"], anchored=True), lang)
        path = out / f"report-{lang}.pdf"
        path.write_bytes(render_pdf(content))
        made[lang] = path
    return made


def test_pdf_header_and_size(pdfs):
    for path in pdfs.values():
        data = path.read_bytes()
        assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
        assert 20_000 < len(data) < 2_000_000, len(data)


def test_chinese_text_and_figures_extract(pdfs, ingot_results):
    r = ingot_results["mc"]
    text = pdf_text(pdfs["zh"])
    for heading in (
        "产品碳足迹研究报告",
        "目的与范围",
        "生命周期清单分析",
        "碳足迹结果",
        "核验信息",
        "局限性",
    ):
        assert heading in text, heading
    assert "单位产品综合能耗" in text
    assert f"{r.emissions.total:,.2f}" in text
    assert f"{r.energy.kgce_per_declared_unit:,.2f}" in text
    assert "GEC-2024-YN-HYD-000123" in text
    assert "我国尚未发布官方的剩余电力组合排放因子" in text.replace("\n", "")
    assert "9d" * 32 in text.replace("\n", "")


def test_english_text_and_figures_extract(pdfs, ingot_results):
    r = ingot_results["mc"]
    text = pdf_text(pdfs["en"])
    for heading in (
        "Product carbon footprint study report",
        "Goal and scope",
        "Life-cycle inventory",
        "Verification",
    ):
        assert heading in text, heading
    assert f"{r.electricity.total_location_based:,.2f}" in text
    assert f"{r.electricity.total_market_based:,.2f}" in text
    assert "Page 1" in text


def test_cjk_font_is_embedded(pdfs):
    for path in pdfs.values():
        fonts = pdf_fonts(path)
        cjk = [f for f in fonts if "WenQuanYi" in f["name"] or "CJK" in f["name"]]
        assert cjk, fonts
        # every font used is embedded (as a subset) with a ToUnicode map, so text can be searched; ReportLab
        # always lists the base-14 Helvetica in its resources, which no text uses
        others = [f for f in fonts if f not in cjk]
        assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in cjk), cjk
        assert [f["name"] for f in others] in ([], ["Helvetica"]), others


def test_pages_render_to_png(pdfs):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lang, path in pdfs.items():
        pages = pdf_pages_png(path, ARTIFACTS / f"report-{lang}", dpi=50)
        assert len(pages) >= 4, pages
        png = pages[0].read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_missing_font_is_a_clear_error():
    with pytest.raises(ReportFontMissing) as caught:
        find_report_fonts([("/nonexistent/wqy-zenhei.ttc", 0, 1)])
    assert DEBIAN_FONT_PACKAGE in caught.value.message
    assert caught.value.status == 503


def test_render_without_a_font_fails_clearly(monkeypatch, ingot_results):
    from node_service.services.reports import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "_loaded", None)
    monkeypatch.setenv(fonts_module.ENV_FONT, "/nonexistent/cjk.ttf")
    content = build_report_content(report_input(ingot_results["plain"], anchored=False), "zh")
    with pytest.raises(ReportFontMissing, match="no CJK TrueType font found") as caught:
        render_pdf(content)
    assert "/nonexistent/cjk.ttf" in caught.value.message
    assert caught.value.problem == "report-font-missing"


def test_font_without_chinese_glyphs_is_refused():
    path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not Path(path).is_file():
        pytest.skip("DejaVuSans.ttf not installed")
    with pytest.raises(ReportFontMissing, match="no Chinese glyphs"):
        find_report_fonts([(path, 0, None)])


def test_cff_font_is_refused_with_the_reason():
    path = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    if not Path(path).is_file():
        pytest.skip("fonts-noto-cjk not installed")
    with pytest.raises(ReportFontMissing, match="cannot be embedded"):
        find_report_fonts([(path, 0, None)])


def test_report_fonts_are_registered_once():
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig not installed")
    fonts = report_fonts()
    assert report_fonts() is fonts
    assert pdfmetrics.getFont(fonts.text) is not None
    assert fonts.sanitise("−5 → 碳") == "-5 → 碳"
