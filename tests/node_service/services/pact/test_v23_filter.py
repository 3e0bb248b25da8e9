"""PACT v2.3 ``$filter`` on ``GET /2/footprints``: the parser of the spec's subset (each operator on each property,
``and``, parentheses, ``any``, quoting, bare and quoted date-times; NotImplemented for the rest, BadRequest with a
position for malformed input, bounded work on hostile input), and the listing end to end on SQLite and PostgreSQL:
every filtered page — followed through its Link — equals the unfiltered listing filtered by a plain Python
reference, never holds more than ``limit``, and WBCSD's conformance case (v2.3 test 20) passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from node_service.app import create_app
from node_service.services.pact.errors import BadRequest, NotImplementedAction
from node_service.services.pact.reads import reader
from node_service.services.pact.reads.odata_filter import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_FILTER_LENGTH,
    AnyEquals,
    Comparison,
    parse_filter,
)
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import (
    Org,
    activity,
    pact_bearer,
    register,
    serve_example_identifiers,
    signed_activity,
)

PF: dict[str, Any] = {
    "id": "5f7a0c1e-0000-4000-8000-000000000001",
    "created": "2025-03-01T10:00:00Z",
    "updated": "2025-03-02T10:00:00Z",
    "productCategoryCpc": "3342",
    "productIds": ["urn:gtin:04012345000001", "urn:pact:it's"],
    "companyIds": ["urn:lei:5299000J2N45DDNE4Y28"],
    "pcf": {
        "geographyCountry": "DE",
        "referencePeriodStart": "2024-01-01T00:00:00Z",
        "referencePeriodEnd": "2025-01-01T00:00:00Z",
    },
}


def matches(text: str, pf: dict[str, Any] = PF) -> bool:
    return parse_filter(text).matches(pf)


# ---------------------------------------------------------------- the parser
@pytest.mark.parametrize(
    ("text", "want"),
    [
        # each operator on a date-time property: equal, earlier and later literals
        ("created eq '2025-03-01T10:00:00Z'", True),
        ("created eq '2025-03-01T10:00:01Z'", False),
        ("created lt '2025-03-01T10:00:01Z'", True),
        ("created lt '2025-03-01T10:00:00Z'", False),
        ("created le '2025-03-01T10:00:00Z'", True),
        ("created le '2025-03-01T09:59:59Z'", False),
        ("created gt '2025-03-01T09:59:59Z'", True),
        ("created gt '2025-03-01T10:00:00Z'", False),
        ("created ge '2025-03-01T10:00:00Z'", True),
        ("created ge '2025-03-01T10:00:00.001Z'", False),
        # instants, not strings: offsets, fractions, lower-case t/z, dates (midnight UTC), bare OData literals
        ("created eq '2025-03-01T11:00:00+01:00'", True),
        ("created eq '2025-03-01T05:30:00-04:30'", True),
        ("created eq '2025-03-01T10:00:00.000000000Z'", True),
        ("created eq '2025-03-01t10:00:00z'", True),
        ("created eq '2025-03-01T10:00Z'", True),
        ("created gt '2025-03-01'", True),
        ("created lt '2025-03-02'", True),
        ("created eq 2025-03-01T10:00:00Z", True),
        ("created ge 2025-03-01T10:00:00.000Z", True),
        ("created eq 2025-03-01T11:00:00+01:00", True),
        ("created gt 2025-03-01", True),
        ("updated gt '2025-03-01T10:00:00Z'", True),
        ("updated lt '2025-03-01T10:00:00Z'", False),
        ("pcf/referencePeriodStart eq '2024-01-01T00:00:00Z'", True),
        ("pcf/referencePeriodStart ge '2024-01-01T00:00:00.001Z'", False),
        ("pcf/referencePeriodEnd le '2025-01-01T00:00:00Z'", True),
        ("pcf/referencePeriodEnd lt '2025-01-01T00:00:00Z'", False),
        # strings compare as strings
        ("productCategoryCpc eq '3342'", True),
        ("productCategoryCpc eq '33420'", False),
        ("productCategoryCpc lt '3343'", True),
        ("productCategoryCpc le '3342'", True),
        ("productCategoryCpc gt '334'", True),
        ("productCategoryCpc ge '4'", False),
        ("pcf/geographyCountry eq 'DE'", True),
        ("pcf/geographyCountry eq 'de'", False),
        ("pcf/geographyCountry gt 'CH'", True),
        # literal first: the operator is mirrored
        ("'2025-03-01T10:00:01Z' gt created", True),
        ("'2025-03-01T10:00:01Z' lt created", False),
        ("'DE' eq pcf/geographyCountry", True),
        ("'4' ge productCategoryCpc", True),
        # and, parentheses (the spec's own example)
        (
            "(pcf/referencePeriodStart ge '2023-01-01T00:00:00.000Z') and "
            "(pcf/referencePeriodEnd lt '2024-01-01T00:00:00.000Z')",
            False,
        ),
        (
            "(pcf/referencePeriodStart ge '2024-01-01T00:00:00.000Z') and "
            "(pcf/referencePeriodEnd le '2025-01-01T00:00:00.000Z')",
            True,
        ),
        ("productCategoryCpc eq '3342' and pcf/geographyCountry eq 'DE'", True),
        ("productCategoryCpc eq '3342' and pcf/geographyCountry eq 'FR'", False),
        ("((productCategoryCpc eq '3342') and ((created lt '2026-01-01')))", True),
        # any on the collections, the spec's spelling and others
        ("productIds/any(productId:(productId eq 'urn:gtin:04012345000001'))", True),
        ("productIds/any(p:p eq 'urn:gtin:04012345000002')", False),
        ("productIds/any( p : 'urn:gtin:04012345000001' eq p )", True),
        ("productIds/any(p:(((p eq 'urn:pact:it''s'))))", True),
        ("companyIds/any(c:c eq 'urn:lei:5299000J2N45DDNE4Y28')", True),
        ("companyIds/any(c:c eq 'urn:gtin:04012345000001')", False),
        # OData 4.01: operator names are case-insensitive
        ("created GE '2025-01-01' And productIds/ANY(p:p EQ 'urn:pact:it''s')", True),
        # quoting: '' is one quote; tabs and several spaces are whitespace
        ("productCategoryCpc eq 'it''s'", False),
        ("productCategoryCpc\teq   '3342'", True),
    ],
)
def test_filter_semantics(text: str, want: bool) -> None:
    assert matches(text) is want


def test_quoting_and_parsed_values() -> None:
    parsed = parse_filter("productIds/any(p:p eq 'a''b''''c') and productCategoryCpc eq ''''")
    assert parsed.conditions == (
        AnyEquals("productIds", "a'b''c"),
        Comparison("productCategoryCpc", "eq", "'"),
    )
    moment = parse_filter("created eq 2025-03-01T12:00:00.1234567+02:00").conditions[0]
    assert isinstance(moment, Comparison)
    assert moment.value == datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "updated eq '2025-03-01T10:00:00Z'",
        "updated lt '2999-01-01T00:00:00Z'",
        "updated ge '1970-01-01T00:00:00Z'",
        "pcf/geographyCountry eq 'DE'",
        "pcf/geographyCountry lt 'ZZ'",
        "productIds/any(p:p eq 'urn:gtin:04012345000001')",
    ],
)
def test_an_absent_property_makes_the_comparison_false(text: str) -> None:
    """OData null semantics: no value, no match, whatever the operator."""
    pf = {k: v for k, v in PF.items() if k not in ("updated", "productIds")}
    pf["pcf"] = {k: v for k, v in PF["pcf"].items() if k != "geographyCountry"}
    assert matches(text, pf) is False
    garbled = {
        **PF,
        "updated": "yesterday",
        "pcf": {**PF["pcf"], "geographyCountry": 49},
        "productIds": "urn:x",
    }
    assert matches(text, garbled) is False


def test_criteria_narrow_by_the_first_value_of_each_collection() -> None:
    parsed = parse_filter(
        "productIds/any(p:p eq 'urn:a') and companyIds/any(c:c eq 'urn:c') and productIds/any(p:p eq 'urn:b')"
    )
    assert parsed.criteria().values == {"productId": ["urn:a"], "companyId": ["urn:c"]}
    assert parse_filter("created ge '2025-01-01'").criteria().values == {}
    assert parse_filter(f"productIds/any(p:p eq '{'x' * 301}')").criteria().values == {}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("created eq '2025-01-01' or created eq '2025-01-02'", "or"),
        ("(created eq '2025-01-01') or (created eq '2025-01-02')", "or"),
        ("(created eq '2025-01-01' or created eq '2025-01-02')", "or"),
        ("not (created eq '2025-01-01')", "not"),
        ("created ne '2025-01-01'", "ne"),
        ("productCategoryCpc in ('3342', '3343')", "in"),
        ("productCategoryCpc has '3342'", "has"),
        ("created add 1 eq 2", "add"),
        ("contains(productCategoryCpc, '33')", "contains()"),
        ("startswith(productCategoryCpc,'33')", "startswith()"),
        ("tolower(pcf/geographyCountry) eq 'de'", "tolower()"),
        ("pcf/declaredUnit eq 'kilogram'", "pcf/declaredUnit"),
        ("productNameCompany eq 'x'", "productNameCompany"),
        ("id eq '5f7a0c1e-0000-4000-8000-000000000001'", "property id"),
        ("Created eq '2025-01-01'", "Created"),
        ("$it/created eq '2025-01-01'", "$it"),
        ("productIds eq 'urn:x'", "productIds/any"),
        ("productIds/all(p:p eq 'urn:x')", "all"),
        ("productClassifications/any(c:c eq 'urn:x')", "productClassifications"),
        ("productIds/any()", "without an expression"),
        ("productIds/any(p:p eq 'a' or p eq 'b')", "or inside any()"),
        ("productIds/any(p:p eq 'a' and p eq 'b')", "and inside any()"),
        ("productIds/any(p:p ne 'a')", "ne"),
        ("productIds/any(p:p lt 'a')", "lt inside any()"),
        ("productIds/any(p:created eq '2025-01-01')", "created inside any()"),
        ("productIds/any(p:p eq 1)", "not a string"),
        ("productIds/any(p:'a' eq 'b')", "any() comparing"),
        ("created eq null", "null"),
        ("true", "true"),
        ("created eq @when", "parameter alias"),
        ("created eq updated", "two properties"),
        ("'a' eq 'a'", "two literals"),
        ("created eq productIds/any(p:p eq 'a')", "comparison with any()"),
    ],
)
def test_outside_the_subset_is_not_implemented(text: str, named: str) -> None:
    with pytest.raises(NotImplementedAction) as raised:
        parse_filter(text)
    assert named in raised.value.message
    assert raised.value.status == 400 and raised.value.body(2) == {
        "code": "NotImplemented",
        "message": raised.value.message,
    }


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        ("", 1, "a property or a literal"),
        ("   ", 4, "a property or a literal"),
        ("created", 8, "eq, lt, le, gt or ge"),
        ("created eq", 11, "a property or a literal"),
        ("created eq '2025-01-01", 12, "not closed"),
        ("created eq '2025-01-01' and", 28, "a property or a literal"),
        ("created eq '2025-01-01' productCategoryCpc eq '1'", 25, "'and' or the end"),
        ("(created eq '2025-01-01'", 25, "'and' or ')'"),
        ("created eq '2025-01-01')", 24, "without its '('"),
        ("created eq'2025-01-01'", 9, "a space on each side"),
        ("created eq '2025-01-01'and productCategoryCpc eq '1'", 24, "a space on each side"),
        ("created equals '2025-01-01'", 9, "eq, lt, le, gt or ge"),
        ('productCategoryCpc eq "3342"', 23, "quoted with '"),
        ("productCategoryCpc eq 3342", 23, "is a string"),
        ("productCategoryCpc eq 2025-01-01", 23, "is a string"),
        ("created eq 'last tuesday'", 12, "is a date-time"),
        ("created eq '2025-13-01T00:00:00Z'", 12, "is a date-time"),
        ("created eq '2025-03-01T10:00:00'", 12, "is a date-time"),  # no offset
        ("created eq 3", 12, "is a date-time"),
        ("created eq 2025-03-01T10:00:00 01:00", 12, "%2B"),  # '+' decoded as a space
        ("created eq 2025-02-30", 12, "not an RFC 3339 date-time"),
        ("pcf/ eq 'x'", 6, "a property name right after '/'"),
        ("productIds/any(p p eq 'a')", 18, "':' after the lambda variable"),
        ("productIds/any('a':p eq 'a')", 16, "a lambda variable"),
        ("productIds/any(p:(p eq 'a')", 28, "')' closing any("),
        ("productIds/any(p:p eq 'a'", 26, "')' closing any("),
        ("productIds/any(p:p eq", 22, "p or a string"),
        ("and eq 'x'", 1, "a property or a literal"),
        ("created eq 'x' § ", 16, "unexpected '§'"),
        ("created eq -", 12, "unexpected '-'"),
    ],
)
def test_malformed_input_is_a_bad_request_with_its_position(text: str, at: int, expected: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse_filter(text)
    assert f"at character {at}" in raised.value.message and expected in raised.value.message
    assert raised.value.status == 400 and raised.value.body(2)["code"] == "BadRequest"


def test_hostile_input_is_refused_early() -> None:
    # length: checked before any work
    with pytest.raises(BadRequest, match=f"got {MAX_FILTER_LENGTH + 1} characters, want at most"):
        parse_filter("x" * (MAX_FILTER_LENGTH + 1))
    # depth: no recursion past MAX_DEPTH, however many parentheses
    deep = "(" * MAX_DEPTH + "created eq '2025-01-01'" + ")" * MAX_DEPTH
    assert parse_filter(deep).conditions
    for opening in ("(" * (MAX_DEPTH + 1), "(" * (MAX_FILTER_LENGTH - 30), "productIds/any(p:" + "(" * 1000):
        with pytest.raises(BadRequest, match=f"nested deeper than {MAX_DEPTH}"):
            parse_filter(opening + "created eq '2025-01-01'")
    # conditions: at most MAX_CONDITIONS
    term = "productCategoryCpc eq '1'"
    assert len(parse_filter(" and ".join([term] * MAX_CONDITIONS)).conditions) == MAX_CONDITIONS
    with pytest.raises(BadRequest, match=f"more than {MAX_CONDITIONS} conditions"):
        parse_filter(" and ".join([term] * (MAX_CONDITIONS + 1)))
    # worst cases within the length cap stay cheap (linear scans, no backtracking)
    worst = [
        "created eq '" + "''" * (MAX_FILTER_LENGTH // 2 - 8),
        "created eq " + "1" * (MAX_FILTER_LENGTH - 11),
        "created eq 2025-01-01T" + "0" * (MAX_FILTER_LENGTH - 22),
        "a" * MAX_FILTER_LENGTH,
        "p/" * (MAX_FILTER_LENGTH // 2),
    ]
    started = time.perf_counter()
    for text in worst:
        with pytest.raises((BadRequest, NotImplementedAction)):
            parse_filter(text)
    assert time.perf_counter() - started < 1.0


_PIECES = st.sampled_from(
    [
        "created", "updated", "productCategoryCpc", "pcf/geographyCountry", "pcf/referencePeriodEnd", "productIds",
        "/any(", "p:", "p", "eq", "lt", "ge", "ne", "and", "or", "not", "(", ")", "'3342'", "'it''s'", "'",
        "2025-01-01T00:00:00Z", "2025-01-01", "12", "-", "/", ":", ",", "null", "@x", "contains(",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, database=None)
@given(
    pieces=st.lists(_PIECES, max_size=12), glue=st.sampled_from([" ", "", "  "]), noise=st.text(max_size=30)
)
def test_any_input_is_parsed_or_refused_with_a_pact_error(pieces: list[str], glue: str, noise: str) -> None:
    for text in (glue.join(pieces), noise, glue.join(pieces) + noise):
        try:
            parsed = parse_filter(text)
        except (BadRequest, NotImplementedAction):
            continue
        assert isinstance(parsed.matches(PF), bool)


# ---------------------------------------------------------------- over /2/footprints
def _publish(
    client: TestClient, org: Org, product: str, year: int, cpc: str, *, grid: str = "CN-YN", **publish: Any
) -> str:
    """A footprint of ``org``'s ``product`` for ``year`` published with CPC ``cpc``; its geography is the site's
    grid region (``CN-YN``: pcf/geographyCountrySubdivision, ``CN``: pcf/geographyCountry)."""
    subject = activity(
        org.did, productIdentifier=product, reportingPeriod={"start": f"{year}-01-01", "end": f"{year}-12-31"}
    )
    subject["site"]["gridRegion"] = grid
    for line in subject["inputs"].get("electricity", []):  # a GEC serial can be claimed once on the exchange
        line.pop("greenPowerClaims", None)
    submitted = client.post("/submissions", json=signed_activity(org, subject))
    assert submitted.status_code == 201, submitted.text
    footprint_id: str = submitted.json()["footprintId"]
    body = {"productClassifications": [f"urn:pact:productclassification:un-cpc:{cpc}"], **publish}
    published = client.post(f"/pact/footprints/{footprint_id}/publish", json=body, headers=org.auth)
    assert published.status_code == 201, published.text
    return footprint_id


def _follow(client: TestClient, headers: dict[str, str], params: dict[str, str], limit: int) -> list[str]:
    """Every page of a listing through its Link headers: each at most ``limit`` footprints, each link answering
    the same page when called again."""
    got: list[str] = []
    response = client.get("/2/footprints", params={**params, "limit": str(limit)}, headers=headers)
    for _ in range(200):
        assert response.status_code == 200, response.text
        page = [pf["id"] for pf in response.json()["data"]]
        assert len(page) <= limit
        got += page
        link = response.headers.get("link")
        if link is None:
            return got
        assert link.startswith("<http://testserver/2/footprints?") and link.endswith('>; rel="next"')
        url = link[1 : link.index(">")]
        if "$filter" in params:
            assert "%24filter=" in url
        response = client.get(url, headers=headers)
        again = client.get(url, headers=headers)
        assert again.json() == response.json()
    raise AssertionError("pagination did not end")


def test_filtered_listing_over_the_api(
    make_node: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = make_node(database_url)
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        serve_example_identifiers(client)
        smelter = register(client, "Smelter", ["supplier"])
        foundry = register(client, "Foundry", ["supplier"])
        stranger = register(client, "Stranger", ["supplier"])
        buyer = register(client, "Buyer", ["buyer"])
        share: dict[str, Any] = {"shareWith": [buyer.did]}
        _publish(client, smelter, "88.118.8/AL-INGOT-A00", 2023, "3342", **share)
        _publish(client, smelter, "88.118.8/AL-INGOT-B00", 2024, "4151", **share)
        _publish(client, foundry, "88.118.8/AL-INGOT-C00", 2024, "3342", grid="CN", **share)
        _publish(client, smelter, "88.118.8/AL-INGOT-A00", 2024, "3342", public=True)
        _publish(client, foundry, "88.118.8/AL-INGOT-C00", 2023, "4151", grid="CN", **share)
        _publish(client, smelter, "88.118.8/AL-INGOT-B00", 2023, "3342", **share)
        hidden = _publish(
            client, stranger, "88.118.8/AL-INGOT-A00", 2022, "3342"
        )  # not shared with the buyer
        headers = pact_bearer(client, buyer, "ERP")

        everything = client.get("/2/footprints", params={"limit": "1000"}, headers=headers).json()["data"]
        assert len(everything) == 6 and hidden not in {pf["id"] for pf in everything}
        # the newest (the smelter's B00 of 2023: its product has two footprints) and the foundry (grid "CN")
        product_urn = everything[0]["productIds"][0]
        in_cn = next(pf for pf in everything if pf["pcf"].get("geographyCountry") == "CN")
        foundry_urn = in_cn["companyIds"][0]
        assert foundry_urn not in everything[0]["companyIds"]
        newest = everything[0]["created"]

        # WBCSD conformance suite, v2.3 test 20, verbatim: 200 and every created >= that of the first listed
        conformance = client.get(
            "/2/footprints", params={"$filter": f"created ge '{newest}'"}, headers=headers
        )
        assert conformance.status_code == 200, conformance.text
        data = conformance.json()["data"]
        assert data and data[0]["id"] == everything[0]["id"] and all(pf["created"] >= newest for pf in data)

        cases: dict[str, Callable[[dict[str, Any]], bool]] = {
            f"created ge '{newest}'": lambda pf: pf["created"] >= newest,
            "productCategoryCpc eq '3342'": lambda pf: pf["productCategoryCpc"] == "3342",
            # a subdivision (CN-YN) is not a geographyCountry: only the footprints declaring the country match
            "pcf/geographyCountry eq 'CN'": lambda pf: pf["pcf"].get("geographyCountry") == "CN",
            "(pcf/referencePeriodStart ge '2024-01-01T00:00:00.000Z') and "
            "(pcf/referencePeriodEnd le '2025-01-01T00:00:00.000Z')": lambda pf: pf["pcf"][
                "referencePeriodStart"
            ].startswith("2024"),
            "pcf/referencePeriodEnd le 2024-01-01T00:00:00Z": lambda pf: pf["pcf"][
                "referencePeriodStart"
            ].startswith("2023"),
            f"productIds/any(productId:(productId eq '{product_urn}'))": lambda pf: (
                product_urn in pf["productIds"]
            ),
            f"companyIds/any(c:c eq '{foundry_urn}') and productCategoryCpc eq '4151'": lambda pf: (
                foundry_urn in pf["companyIds"] and pf["productCategoryCpc"] == "4151"
            ),
            f"productIds/any(p:p eq '{product_urn}') and pcf/referencePeriodStart lt '2024-01-01'": lambda pf: (
                product_urn in pf["productIds"] and pf["pcf"]["referencePeriodStart"] < "2024"
            ),
            "productIds/any(p:p eq 'urn:pact:nothing')": lambda pf: False,
            "created lt '2000-01-01T00:00:00Z'": lambda pf: False,
        }
        # the reference is non-trivial: filters skip rows, several match more than one footprint
        counts = [sum(1 for pf in everything if reference(pf)) for reference in cases.values()]
        assert counts[1:8] == [4, 2, 3, 3, 2, 1, 1] and counts[8:] == [0, 0], counts
        chunking = [(100, 2000), (1, 2000), (1, 2), (3, 5)]  # (FILTER_CHUNK_ROWS, FILTER_SCAN_ROWS)
        for chunk, scan in chunking:
            monkeypatch.setattr(reader, "FILTER_CHUNK_ROWS", chunk)
            monkeypatch.setattr(reader, "FILTER_SCAN_ROWS", scan)
            for text, reference in cases.items():
                want = [pf["id"] for pf in everything if reference(pf)]
                for limit in (1, 2, 1000):
                    got = _follow(client, headers, {"$filter": text}, limit)
                    assert got == want, (text, limit, chunk, scan)

        # an empty $filter is no filter; errors are PACT error responses; v3 keeps refusing $filter
        empty = client.get("/2/footprints", params={"$filter": "", "limit": "1000"}, headers=headers)
        assert [pf["id"] for pf in empty.json()["data"]] == [pf["id"] for pf in everything]
        refused = client.get(
            "/2/footprints", params={"$filter": "productCategoryCpc ne '3342'"}, headers=headers
        )
        assert refused.status_code == 400 and refused.json()["code"] == "NotImplemented"
        malformed = client.get("/2/footprints", params={"$filter": "created ge"}, headers=headers)
        assert malformed.status_code == 400 and malformed.json()["code"] == "BadRequest"
        assert "at character 11" in malformed.json()["message"]
        twice = client.get(
            "/2/footprints?%24filter=created+ge+%272020-01-01%27&%24filter=created+ge+%272021-01-01%27",
            headers=headers,
        )
        assert twice.status_code == 400 and twice.json()["code"] == "BadRequest"
        v3 = client.get("/3/footprints", params={"$filter": "productCategoryCpc eq '3342'"}, headers=headers)
        assert v3.status_code == 400 and v3.json()["code"] == "NotImplemented"
        anonymous = client.get("/2/footprints", params={"$filter": "created ge"})
        assert (
            anonymous.status_code == 400 and "at character" not in anonymous.json()["message"]
        )  # token first
