"""The message catalogue: both languages for every label, matching placeholders, language parsing."""

from __future__ import annotations

import pytest

from footprint_engine.calculate.result import RESIDUAL_MIX_DISCLOSURE
from node_service.services.reports import Catalogue, ReportLanguageInvalid, parse_lang
from node_service.services.reports.messages import MESSAGES, placeholders


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_label_has_both_languages_with_the_same_placeholders(key):
    zh, en = MESSAGES[key]
    assert zh.strip() and en.strip(), key
    assert placeholders(zh) == placeholders(en), key


def test_chinese_labels_are_chinese():
    # a handful of section headings and the report title, as GB/T 24067 names them
    c = Catalogue("zh")
    assert c.t("title") == "产品碳足迹研究报告"
    assert c.t("s_goal") == "目的与范围"
    assert c.t("raw-material-acquisition") == "原材料获取"
    assert c.t("end-of-life") == "寿命终止"


def test_english_residual_mix_text_is_the_engines_disclosure():
    assert Catalogue("en").t("residual_mix_text") == RESIDUAL_MIX_DISCLOSURE


@pytest.mark.parametrize(
    ("given", "want"),
    [
        (None, "zh"),
        ("", "zh"),
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        ("en", "en"),
        ("EN-gb", "en"),
    ],
)
def test_parse_lang(given, want):
    assert parse_lang(given) == want


def test_unknown_language_is_refused_naming_the_field():
    with pytest.raises(ReportLanguageInvalid) as caught:
        parse_lang("fr")
    assert caught.value.field == "lang"
    assert caught.value.status == 422
    assert "want one of zh, en" in caught.value.message


def test_unknown_key_is_a_clear_error():
    with pytest.raises(KeyError, match="not in the catalogue"):
        Catalogue("en").t("no-such-label")
