"""One glossary (node_service.services.reports.glossary) for the portal's pages and the study report (PDF): the
practitioners' Chinese terms in both, the machine translations of issue 18 "Why" 7 in neither — 证据 (佐证材料),
叶哈希 (日志条目哈希), 凭证 ID — and no English fragment such as ``燃料：natural_gas`` or a JSON path in the zh report.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from babel.messages.pofile import read_po

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import calculate
from footprint_engine.examples import load_example
from node_service.services.reports import build_report_content
from node_service.services.reports.factor_notes import factor_notes, rule_notes
from node_service.services.reports.field_labels import field_label
from node_service.services.reports.glossary import FUEL_NAMES, TERMS, fuel_name
from node_service.services.reports.messages import MESSAGES
from supplier_portal.i18n import LOCALE_DIR
from tests.node_service.services.reports.helpers import report_input
from tests.supplier_portal.test_check_and_picker import _lang, portal  # noqa: F401 (the fixture)

AVOIDED = {word: key for key, term in TERMS.items() for word in term.avoid}
#: English term → the Chinese term a zh translation of a msgid holding it must use.
ENFORCED = ("evidence", "leaf-hash", "credential-id", "emission-factor", "activity-data")


@cache
def zh_catalog() -> dict[str, str]:
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "portal.po").open("rb") as handle:
        return {m.id: str(m.string) for m in read_po(handle) if m.id}


def _avoided_in(text: str) -> list[str]:
    return [f"{word} (say {TERMS[key].zh})" for word, key in AVOIDED.items() if word in text]


def test_the_glossary_names_the_practitioners_terms() -> None:
    assert TERMS["evidence"].zh == "佐证材料" and "证据" in TERMS["evidence"].avoid
    assert TERMS["leaf-hash"].zh == "日志条目哈希"
    for term in TERMS.values():
        assert term.zh and term.en and term.zh not in term.avoid


def test_the_portal_catalogue_uses_no_avoided_word() -> None:
    found = {msgid: _avoided_in(text) for msgid, text in zh_catalog().items() if _avoided_in(text)}
    assert not found, found


@pytest.mark.parametrize("key", ENFORCED)
def test_the_portal_catalogue_says_the_glossary_term(key: str) -> None:
    """Every msgid naming the English term is translated with the glossary's Chinese term."""
    term = TERMS[key]
    pattern = re.compile(rf"\b{re.escape(term.en)}", re.IGNORECASE)
    naming = {m: t for m, t in zh_catalog().items() if pattern.search(m.replace("-", " ").replace("_", " "))}
    assert naming or key == "credential-id", f"no msgid names {term.en!r}: is the test still looking?"
    wrong = {m: t for m, t in naming.items() if term.zh not in t}
    assert not wrong, f"{term.en} → {term.zh}: {wrong}"


def test_the_report_messages_use_no_avoided_word_and_the_glossary_terms() -> None:
    zh = {key: pair[0] for key, pair in MESSAGES.items()}
    assert not {k: _avoided_in(t) for k, t in zh.items() if _avoided_in(t)}
    assert zh["leaf_hash"] == TERMS["leaf-hash"].zh and zh["submission_id"] == TERMS["credential-id"].zh
    assert TERMS["leaf-hash"].zh in zh["step_2"]


@pytest.fixture(scope="module")
def ingot() -> Any:
    return calculate(ActivityData.model_validate(load_example("aluminium-ingot-yunnan")))


def test_the_zh_report_has_no_english_fragment(ingot: Any) -> None:
    """Was: ``燃料：natural_gas`` in the energy table, JSON paths in the factors' ``used by`` column."""
    text = build_report_content(report_input(ingot, anchored=False), "zh").text()
    assert not _avoided_in(text), _avoided_in(text)
    assert TERMS["leaf-hash"].zh in text
    assert "燃料：天然气" in text and "燃料：natural_gas" not in text  # (the factor ids keep their key)
    assert not re.search(r"燃料：[A-Za-z_]", text)
    assert "inputs." not in text and "[0]" not in text
    assert "电力 第 1 行" in text
    en = build_report_content(report_input(ingot, anchored=False), "en").text()
    assert "fuel: natural gas" in en and "electricity row 1" in en


def test_factor_notes_name_inputs_by_the_forms_labels(ingot: Any) -> None:
    result = ingot.model_dump(mode="json", by_alias=True)
    notes = factor_notes(result, "zh")
    used = [u for n in notes for u in n.used_by]
    assert used and all("inputs" not in u and "[" not in u for u in used), used
    assert field_label("inputs.fuels[0]", "zh") == "燃料 第 1 行"
    assert field_label("inputs.fuels[0]", "en") == "fuels row 1"
    deviation = {"code": "factor-id-given", "path": "inputs.electricity[0]", "text": "…"}
    rules = [{"id": "product-footprint", "applied": [], "deviations": [deviation], "followed": False}]
    assert "电力 第 1 行：" in rule_notes({**result, "rules": rules}, "zh")[1]


def test_every_fuel_of_the_engine_has_a_name() -> None:
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "footprint_engine" / "data"
    keys = set()
    for name in ("fuels_cn_default.csv", "fuels_ipcc2006.csv", "energy_gbt2589.csv"):
        keys |= {
            line.split(",")[0] for line in (data / name).read_text(encoding="utf-8").splitlines()[1:] if line
        }
    assert keys and not keys - set(FUEL_NAMES), sorted(keys - set(FUEL_NAMES))
    assert fuel_name("natural_gas", "zh") == "天然气" and fuel_name("unheard_of", "zh") == "unheard_of"


def test_the_zh_pages_say_the_glossary_terms(portal: Any) -> None:  # noqa: F811
    """The evidence and verification pages in Chinese: 佐证材料, 日志条目哈希; never 证据 or 叶哈希."""
    client, _node, _did = portal
    _lang(client, "zh_CN")
    for path, want in (("/portal/evidence", TERMS["evidence"].zh), ("/portal/verify", TERMS["leaf-hash"].zh)):
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        assert want in page.text, path
        assert not _avoided_in(page.text), (path, _avoided_in(page.text))
