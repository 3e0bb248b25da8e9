"""PACT URN mapping and its round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifier_resolver import (
    IdentifierError,
    is_rfc8141_urn,
    pact_id_list,
    parse_handle,
    parse_identifier,
    parse_pact_urn,
    to_pact_urn,
)


@pytest.mark.parametrize(
    ("text", "urn", "pact_list"),
    [
        ("4712345060507", "urn:gtin:04712345060507", "productIds"),
        ("96385074", "urn:gtin:00000096385074", "productIds"),
        ("https://id.gs1.org/01/09506000134352/10/L1/21/7", "urn:gtin:09506000134352", "productIds"),
        ("88.1000.12345/battery-01", "urn:pact:handle.net:handle:88.1000.12345/battery-01", "productIds"),
        ("hdl:88.1000.1/a%20b%3Fc", "urn:pact:handle.net:handle:88.1000.1/a%20b%3Fc", "productIds"),
        ("88.1000/产品", "urn:pact:handle.net:handle:88.1000/%E4%BA%A7%E5%93%81", "productIds"),
        ("91350100M000100Y43", "urn:pact:creditchina.gov.cn:uscc:91350100M000100Y43", "companyIds"),
    ],
)
def test_to_pact_urn(text, urn, pact_list):
    identifier = parse_identifier(text)
    assert to_pact_urn(identifier) == urn
    assert is_rfc8141_urn(urn)
    assert pact_id_list(identifier) == pact_list


@pytest.mark.parametrize(
    "urn",
    [
        "urn:gtin:4712345060507",  # the PACT v3 example (GTIN-13) is accepted …
        "URN:GTIN:04712345060507",  # … as is its GTIN-14 form, with a case-insensitive NID
        "urn:pact:handle.net:handle:88.1000.12345/p%2F1",
        "urn:pact:creditchina.gov.cn:uscc:914403001922038216",
    ],
)
def test_urn_round_trip(urn):
    identifier = parse_pact_urn(urn)
    again = parse_pact_urn(to_pact_urn(identifier))
    assert again == identifier


def test_gtin_lengths_map_to_one_urn():
    assert to_pact_urn(parse_identifier("4712345060507")) == to_pact_urn(parse_identifier("04712345060507"))


@pytest.mark.parametrize(
    ("urn", "rule"),
    [
        ("urn:gtin:5695872369587", "gtin-check-digit"),
        ("urn:isbn:978-951-0-18435-6", "urn-namespace"),
        ("urn:pathfinder:product:customcode:vendor-assigned:1234", "urn-namespace"),
        ("urn:pact:handle.net:handle:88.1000", "handle-separator"),
        ("urn:pact:creditchina.gov.cn:uscc:91350100M000100Y44", "uscc-check-character"),
        ("urn:gtin:12 34", "rfc8141-syntax"),
        ("gtin:4712345060507", "rfc8141-syntax"),
    ],
)
def test_bad_urns(urn, rule):
    with pytest.raises(IdentifierError) as info:
        parse_pact_urn(urn)
    assert info.value.rule == rule


_suffix = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"), min_size=1, max_size=40
).filter(lambda s: s == s.strip())


@settings(max_examples=200, deadline=None)
@given(industry=st.integers(1, 99999), enterprise=st.integers(1, 10**9), suffix=_suffix)
def test_handle_urn_round_trip_for_any_printable_suffix(industry, enterprise, suffix):
    handle = parse_handle(f"88.{industry}.{enterprise}/{suffix}")
    urn = to_pact_urn(handle)
    assert is_rfc8141_urn(urn)
    assert parse_pact_urn(urn) == handle
