"""Syntax vectors (tests/identifier_resolver/vectors.json), independent references and properties."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifier_resolver import (
    CheckDigitError,
    IdentifierError,
    parse_digital_link,
    parse_gtin,
    parse_handle,
    parse_identifier,
    parse_uscc,
)
from identifier_resolver.syntax import gs1_check_digit, uscc_check_char

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))
USCC_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# -- slow, obviously-correct references written from the standards' text (no shared code) --------


def reference_gtin_valid(digits: str) -> bool:
    """GS1 GenSpecs §7.9: pad to 18 digits, weights 3,1,3,… from the left over 17 digits."""
    padded = digits.rjust(18, "0")
    weights = [3 if i % 2 == 0 else 1 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(padded[:17], weights, strict=True))
    nearest_ten = -(-total // 10) * 10
    return nearest_ten - total == int(padded[17])


def reference_uscc_valid(code: str) -> bool:
    """GB 32100-2015 §5: W_i = 3^(i-1) mod 31, C18 = 31 - (sum mod 31); GB 11714 for 9..17."""
    values = [USCC_SET.index(c) for c in code]
    weights = [(3 ** (i - 1)) % 31 for i in range(1, 18)]
    c18 = 31 - sum(v * w for v, w in zip(values[:17], weights, strict=True)) % 31
    if (0 if c18 == 31 else c18) != values[17]:
        return False
    org = code[8:17]
    org_values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in org[:8]]
    c9 = 11 - sum(v * w for v, w in zip(org_values, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) % 11
    return org[8] == {10: "X", 11: "0"}.get(c9, str(c9))


# -- GTIN ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["gtin"]["valid"], ids=lambda v: v["input"])
def test_gtin_valid(vector):
    gtin = parse_gtin(vector["input"])
    assert gtin.gtin14 == vector["gtin14"]
    assert reference_gtin_valid(vector["input"])


@pytest.mark.parametrize("vector", VECTORS["gtin"]["invalid"], ids=lambda v: v["input"] or "empty")
def test_gtin_invalid(vector):
    with pytest.raises(IdentifierError) as info:
        parse_gtin(vector["input"])
    assert info.value.rule == vector["rule"]
    assert "—" in str(info.value)  # says what to do


def test_gtin_check_digit_error_reports_got_and_want():
    with pytest.raises(CheckDigitError) as info:
        parse_gtin("5695872369587")
    assert (info.value.got, info.value.want) == ("7", "1")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text(string.digits, min_size=n, max_size=n)))
def test_gtin_matches_reference_and_detects_every_single_digit_error(body):
    digits = body + gs1_check_digit(body)
    assert reference_gtin_valid(digits)
    assert parse_gtin(digits).gtin14 == digits.zfill(14)
    for position in range(len(digits)):
        for replacement in string.digits:
            if replacement != digits[position]:
                changed = digits[:position] + replacement + digits[position + 1 :]
                assert reference_gtin_valid(changed) is False
                with pytest.raises(CheckDigitError):
                    parse_gtin(changed)


def test_gtin_agrees_with_python_stdnum():
    ean = pytest.importorskip("stdnum.ean")
    for vector in VECTORS["gtin"]["valid"]:
        assert ean.is_valid(vector["input"])
    for vector in VECTORS["gtin"]["invalid"]:
        if vector["rule"] == "gtin-check-digit":
            assert not ean.is_valid(vector["input"])


# -- USCC ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["uscc"]["valid"], ids=lambda v: v["input"])
def test_uscc_valid(vector):
    code = parse_uscc(vector["input"])
    assert code.code == vector.get("normalised", vector["input"])
    assert reference_uscc_valid(code.code)


@pytest.mark.parametrize("vector", VECTORS["uscc"]["invalid"], ids=lambda v: v["input"])
def test_uscc_invalid(vector):
    with pytest.raises(IdentifierError) as info:
        parse_uscc(vector["input"])
    assert info.value.rule == vector["rule"]


def test_uscc_agrees_with_python_stdnum():
    uscc = pytest.importorskip("stdnum.cn.uscc")
    for vector in VECTORS["uscc"]["valid"]:
        assert uscc.is_valid(vector["input"])
    assert not uscc.is_valid("91350100M000100Y44")


def test_uscc_parts():
    code = parse_uscc("91350100M000100Y43")
    assert code.registration_authority == "9"
    assert code.organisation_category == "1"
    assert code.division_code == "350100"
    assert code.organisation_code == "M000100Y4"


_uscc_char = st.sampled_from(USCC_SET)


@settings(max_examples=200, deadline=None)
@given(
    head=st.text(USCC_SET, min_size=2, max_size=2),
    division=st.text(string.digits, min_size=6, max_size=6),
    org=st.text(string.digits + "ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
    position=st.integers(0, 17),
    replacement=_uscc_char,
)
def test_uscc_round_trip_and_single_substitution(head, division, org, position, replacement):
    from identifier_resolver.syntax import organisation_code_check_char

    org9 = org + organisation_code_check_char(org)
    body = head + division + org9
    code = body + uscc_check_char(body)
    if org9[8] not in USCC_SET:  # GB 11714 check 'X' is in the set; nothing else can fall outside
        return
    assert parse_uscc(code).code == code
    assert reference_uscc_valid(code)
    if replacement != code[position]:
        changed = code[:position] + replacement + code[position + 1 :]
        if position in range(2, 8) and not replacement.isdigit():
            rule = "uscc-division-code"
        else:
            rule = None
        with pytest.raises(IdentifierError) as info:
            parse_uscc(changed)
        if rule:
            assert info.value.rule == rule


# -- Handle / IDIS -------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["handle"]["valid"], ids=lambda v: v["input"])
def test_handle_valid(vector):
    handle = parse_handle(vector["input"])
    assert (handle.prefix, handle.suffix, handle.kind) == (vector["prefix"], vector["suffix"], vector["kind"])
    assert parse_handle(str(handle)) == handle
    assert parse_handle(handle.hdl_uri()) == handle


@pytest.mark.parametrize("vector", VECTORS["handle"]["invalid"], ids=lambda v: v["input"])
def test_handle_invalid(vector):
    with pytest.raises(IdentifierError) as info:
        parse_handle(vector["input"])
    assert info.value.rule == vector["rule"]


def test_handle_case_insensitive_key_keeps_display_case():
    a, b = parse_handle("88.1000.AbC/Motor-X"), parse_handle("88.1000.abc/motor-x")
    assert a.key == b.key == "88.1000.ABC/MOTOR-X"
    assert str(a) == "88.1000.AbC/Motor-X"
    assert parse_handle("88.1/产品").key == "88.1/产品"  # only ASCII folds


def test_idis_parts():
    idis = parse_handle("88.1000.12345/battery-01").idis
    assert idis is not None and (idis.industry, idis.enterprise) == ("1000", "12345")
    assert parse_handle("10.1045/x").idis is None


def test_handle_url_path_percent_encodes():
    handle = parse_handle("88.1000.1/a b?c#d%e/f")
    assert handle.url_path() == "88.1000.1/a%20b%3Fc%23d%25e/f"
    assert parse_handle("hdl:" + handle.url_path()) == handle


def test_handle_length_limit():
    with pytest.raises(IdentifierError) as info:
        parse_handle("88.1/" + "x" * 1020)
    assert info.value.rule == "handle-length"


# -- GS1 Digital Link ----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["digital_link"]["valid"], ids=lambda v: v["input"])
def test_digital_link_valid(vector):
    link = parse_digital_link(vector["input"])
    assert link.gtin.gtin14 == vector["gtin14"]
    assert (link.lot, link.serial, link.cpv) == (vector.get("lot"), vector.get("serial"), vector.get("cpv"))
    assert link.canonical_uri() == vector["canonical"]
    again = parse_digital_link(link.canonical_uri())
    assert (again.gtin, again.cpv, again.lot, again.serial) == (link.gtin, link.cpv, link.lot, link.serial)
    assert parse_gtin("0" * (14 - len(link.gtin.digits)) + link.gtin.digits) == link.gtin


@pytest.mark.parametrize("vector", VECTORS["digital_link"]["invalid"], ids=lambda v: v["input"])
def test_digital_link_invalid(vector):
    with pytest.raises(IdentifierError) as info:
        parse_digital_link(vector["input"])
    assert info.value.rule == vector["rule"]


def test_digital_link_keeps_numeric_query_attributes():
    link = parse_digital_link("https://id.gs1.org/01/09506000134352?17=261231&utm=x")
    assert link.attributes == {"17": "261231"}


# -- auto-detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("  4006381333931 ", "Gtin"),
        ("91350100M000100Y43", "Uscc"),
        ("914403001922038216", "Uscc"),
        ("88.1000.12345/p1", "Handle"),
        ("hdl:10.1045/x", "Handle"),
        ("https://hdl.handle.net/10.1045/x", "Handle"),
        ("https://id.gs1.org/01/09506000134352", "DigitalLink"),
        ("urn:gtin:4712345060507", "Gtin"),
        ("urn:pact:creditchina.gov.cn:uscc:91350100M000100Y43", "Uscc"),
    ],
)
def test_parse_identifier_detects_kind(text, kind):
    assert type(parse_identifier(text)).__name__ == kind


@pytest.mark.parametrize("text", ["", "hello", "123", "urn:isbn:978-951-0-18435-6", "x" * 3000])
def test_parse_identifier_refuses_with_rule(text):
    with pytest.raises(IdentifierError) as info:
        parse_identifier(text)
    assert info.value.rule
