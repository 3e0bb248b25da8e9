"""The factors a footprint used, worded in Chinese and English from data (factor_notes): names, versions,
sources with the CPCD note, and the geography and year fallbacks — never the engine's English sentences."""

from __future__ import annotations

import re
from typing import Any

from node_service.services.reports.factor_notes import factor_notes, fallback_sentence, rule_notes

GRID = "electricity-grid/footprint/CN/2024"
ALUMINA = "material/alumina/CN/2021"


def _result(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "geography": "CN-YN",
        "reportingPeriodEnd": "2024-12-31",
        "factors": [
            {
                "id": GRID,
                "nameZh": "全国电力平均碳足迹因子",
                "nameEn": "national average electricity carbon footprint",
                "version": "2026.12",
                "sourceId": "mee-electricity-footprint",
                "source": "MEE 2024",
                "geography": "CN",
                "year": 2024,
                "unit": "kWh",
                "illustrative": False,
                "usedBy": ["inputs.electricity[0]"],
                "fallbacks": ["CN-YN → CN: MEE publishes carbon-footprint factors nationally only"],
            },
            {
                "id": ALUMINA,
                "nameZh": "氧化铝",
                "nameEn": "alumina",
                "version": "2026.12",
                "sourceId": "cpcd",
                "cpcdCode": "CPCD-ALU-001",
                "source": "CPCD",
                "geography": "CN",
                "year": 2021,
                "unit": "t",
                "illustrative": False,
                "usedBy": ["inputs.materials[0]"],
                "fallbacks": [],
            },
        ],
        "rules": [
            {
                "id": "product-footprint",
                "applied": [
                    {
                        "path": "inputs.electricity[0]",
                        "factorId": GRID,
                        "fallbacks": [
                            {
                                "kind": "geography",
                                "from": "CN-YN",
                                "to": "CN",
                                "reason": "no-provincial-footprint-factor",
                            }
                        ],
                    }
                ],
                "deviations": [],
                "followed": True,
            }
        ],
    }
    result.update(changes)
    return result


def test_the_yunnan_fallback_in_chinese_and_english() -> None:
    zh = {n.id: n for n in factor_notes(_result(), "zh")}
    assert zh[GRID].fallbacks == (
        "云南（CN-YN）无省级电力碳足迹因子，采用全国因子（生态环境部仅发布全国电力碳足迹因子）",
    )
    assert zh[GRID].name == "全国电力平均碳足迹因子" and zh[GRID].version == "2026.12"
    en = {n.id: n for n in factor_notes(_result(), "en")}
    assert en[GRID].fallbacks == (
        "Yunnan (CN-YN) has no provincial electricity carbon-footprint factor; the China factor is used (MEE "
        "publishes electricity carbon-footprint factors for China as a whole only)",
    )
    assert en[GRID].name == "national average electricity carbon footprint"


def test_cpcd_rows_carry_their_code_and_the_transcription_note() -> None:
    zh = {n.id: n for n in factor_notes(_result(), "zh")}[ALUMINA]
    assert zh.source == "中国产品全生命周期温室气体排放系数库（CPCD）"
    assert zh.notes == ("CPCD 编号 CPCD-ALU-001；公开转录，非 CPCD 登录站点原文",)
    assert zh.fallbacks == ()
    en = {n.id: n for n in factor_notes(_result(), "en")}[ALUMINA]
    assert "public transcription" in en.notes[0] and "CPCD-ALU-001" in en.notes[0]


def test_no_english_in_the_chinese_notes() -> None:
    """Every Latin run in a zh note is an identifier, a code or a unit the result itself holds."""
    result = _result()
    allowed = {"CN", "YN", "CPCD", "ALU", "kWh", "t"}
    for note in factor_notes(result, "zh"):
        for text in (note.name, note.source, *note.notes, *note.fallbacks):
            words = set(re.findall(r"[A-Za-z]+", text))
            assert words <= allowed, (text, words - allowed)
    for line in rule_notes(result, "zh"):
        assert set(re.findall(r"[A-Za-z]+", line)) <= {"GB", "T"}, line


def test_fallbacks_without_recorded_steps_are_implied_by_geography_and_year() -> None:
    """A look-up that fell back (English sentences only, no rule steps): the steps its geography and year imply."""
    result = _result(rules=None)
    result["factors"][0].update(year=2023, fallbacks=["geography …", "year …"])
    zh = {n.id: n for n in factor_notes(result, "zh")}[GRID]
    assert zh.fallbacks == ("云南（CN-YN）无该因子，采用全国（CN）因子", "无 2024 年因子，采用 2023 年因子")
    # one step noted, and the year differs: the year step only (a factor looked up for CN itself, say)
    result["factors"][0]["fallbacks"] = ["year …"]
    zh = {n.id: n for n in factor_notes(result, "zh")}[GRID]
    assert zh.fallbacks == ("无 2024 年因子，采用 2023 年因子",)
    # a factor that did not fall back says nothing, whatever its geography
    assert {n.id: n for n in factor_notes(result, "zh")}[ALUMINA].fallbacks == ()


def test_year_steps_and_inner_mongolia() -> None:
    step = {"kind": "year", "from": "2025", "to": "2024", "reason": "reporting-year-not-published"}
    assert fallback_sentence(step, "zh") == "2025 年因子尚未发布，采用最近的 2024 年因子"
    split = {"kind": "geography", "from": "CN-NM-E", "to": "CN-NM", "reason": "no-factor-at-this-level"}
    assert fallback_sentence(split, "zh") == (
        "生态环境部、国家统计局对内蒙古只发布一个省级因子，蒙东（CN-NM-E）采用内蒙古（CN-NM）因子"
    )
    grid = {"kind": "geography", "from": "CN-XZ", "to": "CN-Southwest", "reason": "no-factor-at-this-level"}
    assert (
        fallback_sentence(grid, "en")
        == "no factor for Tibet (Xizang) (CN-XZ); the Southwest China grid (CN-Southwest) factor is used"
    )


def test_the_rule_and_its_deviations() -> None:
    deviation = {"code": "factor-id-given", "path": "inputs.electricity[0]", "text": "…"}
    rules = [{"id": "product-footprint", "applied": [], "deviations": [deviation], "followed": False}]
    zh = rule_notes(_result(rules=rules), "zh")
    assert zh[0].startswith("产品碳足迹核算规则（GB/T 24067-2024）")
    assert (
        zh[1] == "电力 第 1 行：活动数据自行指定了电网因子，未采用规则规定的因子"
    )  # the form's label, not the path
