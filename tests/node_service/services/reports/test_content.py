"""The report's content from real engine results: every part GB/T 24067 clause 7 asks for, in both languages."""

from __future__ import annotations

import pytest

from node_service.services.reports import build_report_content
from node_service.services.reports.content import fmt
from node_service.services.reports.model import BarChart, Code, Fields, Table
from node_service.transparency import entry_leaf_hash
from tests.node_service.services.reports.helpers import report_input


def _section(content, number):
    return next(s for s in content.sections if s.number == number)


def test_sections_in_the_order_of_the_standard(ingot_results):
    zh = build_report_content(report_input(ingot_results["plain"], anchored=False), "zh")
    en = build_report_content(report_input(ingot_results["plain"], anchored=False), "en")
    assert [s.title for s in zh.sections] == [
        "目的与范围",
        "生命周期清单分析",
        "碳足迹结果",
        "电力：基于位置与基于市场",
        "不确定性分析",
        "单位产品综合能耗（GB/T 2589-2020）",
        "排放因子及来源",
        "局限性",
        "核验信息",
    ]
    assert [s.number for s in en.sections] == list(range(1, 10))
    assert en.sections[0].title == "Goal and scope"


def test_figures_are_the_results(ingot_results):
    r = ingot_results["plain"]
    content = build_report_content(report_input(r, anchored=False), "en")
    text = content.text()
    assert fmt(r.emissions.total) in content.headline
    assert f"{r.emissions.total:,.2f}" in text
    # per stage: the chart carries the exact values, the table the rounded ones
    results = _section(content, 3)
    chart = next(b for b in results.blocks if isinstance(b, BarChart))
    assert chart.labels == ("Raw material acquisition", "Production")
    assert chart.values == (r.per_stage["raw-material-acquisition"], r.per_stage["production"])
    assert sum(chart.values) == pytest.approx(r.emissions.total)
    # per gas with GWP100 of AR6 (CF4 7380)
    gases = [b for b in results.blocks if isinstance(b, Table)][1]
    cf4 = next(row for row in gases.rows if row[0] == "CF4")
    assert cf4[3] == "7,380"
    # electricity: location- and market-based side by side, with the GEC serials and the disclosure
    el = r.electricity
    assert f"{el.total_location_based:,.2f} kgCO2e / t" in text
    assert f"{el.total_market_based:,.2f} kgCO2e / t" in text
    assert "GEC-2024-YN-HYD-000123" in text and "GEC-2023-YN-HYD-004560" in text
    assert "China publishes no official residual-mix factor" in text
    # energy in kgce per declared unit
    assert f"{r.energy.kgce_per_declared_unit:,.2f} kgce / t" in text
    # inventory lines with data source, cut-off share and allocation statement
    inventory = next(b for b in _section(content, 2).blocks if isinstance(b, Table))
    assert len(inventory.rows) == len(r.per_input)
    assert {row[3] for row in inventory.rows} == {"primary", "secondary"}
    assert "Excluded inputs are estimated at 0.50%" in text
    assert "No co-products; no allocation" in text
    # provenance of every factor
    factors = next(b for b in _section(content, 7).blocks if isinstance(b, Table))
    assert len(factors.rows) == len(r.factors)
    for row, f in zip(factors.rows, r.factors, strict=True):  # name · id · version
        assert f" · {f.id} · version " in row[0], row[0]
    assert content.warning is not None  # the example uses illustrative factors


def test_chinese_report_translates_labels_not_data(ingot_results):
    r = ingot_results["plain"]
    text = build_report_content(report_input(r, anchored=False), "zh").text()
    for label in ("声明单位", "系统边界", "从摇篮到大门", "取舍准则与排除比例", "分配程序", "初级", "次级"):
        assert label in text
    assert "我国尚未发布官方的剩余电力组合排放因子" in text
    assert "化石源温室气体排放" in text and "生物源温室气体清除" in text
    # provenance in Chinese: the source's Chinese name, the factor's Chinese name and version
    assert "排放因子及来源" in text and "版本 " in text
    section = build_report_content(report_input(r, anchored=False), "zh").sections[6]
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert all(row[1] and not row[1].isascii() for row in table.rows), table.rows


def test_uncertainty_summary_when_monte_carlo_ran(ingot_results):
    mc = ingot_results["mc"]
    assert mc.uncertainty is not None
    text = build_report_content(report_input(mc, anchored=False), "en").text()
    assert "Iterations 200" in text and "Seed 7" in text
    assert f"{mc.uncertainty.p2_5:,.2f}" in text and f"{mc.uncertainty.p97_5:,.2f}" in text
    plain = build_report_content(report_input(ingot_results["plain"], anchored=False), "en").text()
    assert "No Monte Carlo uncertainty analysis was run" in plain
    assert "Uncertainty was not quantified." in plain


def test_upstream_footprint_is_named_as_primary_data(ingot_results):
    housing = ingot_results["housing"]
    content = build_report_content(report_input(housing, anchored=False), "en")
    inventory = next(b for b in _section(content, 2).blocks if isinstance(b, Table))
    cited = [row for row in inventory.rows if "cites upstream footprint 88.118.8/AL-INGOT-A00@1" in row[3]]
    assert cited and cited[0][3].startswith("primary")
    assert "Upstream footprints cited 88.118.8/AL-INGOT-A00@1" in content.text()


def test_verification_not_yet_anchored(ingot_results):
    data = report_input(ingot_results["plain"], anchored=False)
    content = build_report_content(data, "en")
    verification = _section(content, 9)
    text = "\n".join(content.text().split("9 Verification", 1)[1:])
    assert "Not yet anchored" in text
    fields = next(b for b in verification.blocks if isinstance(b, Fields))
    assert dict(fields.rows)["Footprint document SHA-256"] == data.document_sha256
    assert dict(fields.rows)["Leaf hash"] == entry_leaf_hash(data.log_entry).hex()
    zh = build_report_content(data, "zh").text()
    assert "尚未锚定" in zh


def test_verification_with_receipt(ingot_results):
    data = report_input(ingot_results["plain"], anchored=True)
    content = build_report_content(data, "en")
    text = content.text()
    assert data.receipt is not None
    for value in ("9d" * 32, "0x" + "7e" * 32, "0x5FbDB2315678afecb367f032d93F642f64180aa3", "31337"):
        assert value in text
    assert "Not yet anchored" not in text
    proof = [b for b in _section(content, 9).blocks if isinstance(b, Code)][-1]
    assert proof.lines == ("0: " + "a1" * 32, "1: " + "b2" * 32, "2: " + "c3" * 32)
    assert "treeHead(8)" in text and "block 42" in text


@pytest.mark.parametrize(
    ("value", "want"), [(0.0, "0"), (10386.06, "10,386.06"), (0.004, "0.004"), (None, "–")]
)
def test_fmt(value, want):
    assert fmt(value) == want
