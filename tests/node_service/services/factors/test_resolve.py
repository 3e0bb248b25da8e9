"""Which factor an account rule gives (issue 17): every province-year CO2 factor MEE/NBS published for 2021–2023
(footprint_engine/data/electricity_cn_provincial.csv, read here with csv, not through the library) resolves
under organisation-inventory/generic to exactly its published value without a fallback, and the line names the
factor, the rule and the version; offline, on the node's database (both backends), by the CLI and the API."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import footprint_engine
from footprint_engine.errors import FactorLibraryError, FactorNotFoundError
from footprint_engine.factors import FactorLibrary
from node_service.app import create_app
from node_service.cli.main import app
from node_service.errors import NotFound, ValidationFailed
from node_service.services.factors import service
from node_service.services.factors.resolve import resolve_factor, resolve_in
from tests.identifier_resolver.helpers import ServerThread
from tests.node_service.services.factors.helpers import HEADER, DbNode, organisation, table

TABLE = Path(footprint_engine.__file__).parent / "data" / "electricity_cn_provincial.csv"
GENERIC = "organisation-inventory/generic"
PROVINCE = re.compile(r"CN-[A-Z]{2}")  # ISO 3166-2:CN province codes; regional grids are CN-North etc.
LINE = re.compile(
    r"(?P<rule>\S+) · (?P<geo>\S+) (?P<year>\d{4}) → (?P<id>\S+) v(?P<version>\S+) = (?P<value>[0-9.]+) "
    r"(?P<unit>\S+) \((?P<source>.+)\)"
)
YUNNAN_2021 = (
    "organisation-inventory/generic · CN-YN 2021 → electricity-grid/co2/CN-YN/2021 v2026.12 = 0.1235 kgCO2/kWh "
    "(生态环境部、国家统计局 (MEE & NBS) · 关于发布2021年电力二氧化碳排放因子的公告（公告2024年第12号）)"
)
FOOTPRINT_FALLBACK = "CN-YN → CN: MEE publishes carbon-footprint factors nationally only"
runner = CliRunner()


def _published_province_years() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return [
            row
            for row in csv.DictReader(fh)
            if row["kind"] == "co2-emission"
            and PROVINCE.fullmatch(row["region_code"])
            and 2021 <= int(row["year"]) <= 2023
        ]


ROWS = _published_province_years()


def _assert_published(body: dict[str, Any], row: dict[str, str]) -> None:
    """``body`` (the resolve JSON) gives exactly the published factor of ``row``, with no fallback, and its line
    names that factor, the rule and version 2026.12."""
    where = f"{row['region_code']} {row['year']}"
    factor_id = f"electricity-grid/co2/{row['region_code']}/{row['year']}"
    factor = body["factor"]
    assert factor["id"] == factor_id, where
    assert factor["value"] == float(row["value"]) and factor["valueUnit"] == row["unit"] == "kgCO2/kWh", where
    assert factor["geography"] == row["region_code"] and factor["year"] == int(row["year"]), where
    assert body["rule"] == GENERIC and body["steps"] == [] and body["fallbacks"] == [], where
    line = LINE.fullmatch(body["line"])
    assert line is not None, body["line"]
    assert (line["rule"], line["geo"], line["year"], line["id"]) == (GENERIC, *where.split(), factor_id)
    assert line["version"] == "2026.12" and float(line["value"]) == float(row["value"]), body["line"]
    announcement = re.search(r"公告\d{4}年第\d+号", row["source_title"])
    assert announcement is not None and announcement.group() in line["source"], body["line"]
    assert row["publisher"].split(",")[0] in line["source"], body[
        "line"
    ]  # 生态环境部、国家统计局 (MEE & NBS)


def test_the_table_holds_30_provinces_for_each_of_2021_to_2023() -> None:
    assert len(ROWS) == 90
    assert len({(r["region_code"], r["year"]) for r in ROWS}) == 90
    assert len({r["region_code"] for r in ROWS}) == 30 and {r["year"] for r in ROWS} == {
        "2021",
        "2022",
        "2023",
    }
    published = {(r["region_code"], r["year"]): float(r["value"]) for r in ROWS}
    # the and MEE/NBS's figures, typed here by hand
    assert published[("CN-YN", "2021")] == 0.1235 and published[("CN-YN", "2023")] == 0.1333
    assert published[("CN-YN", "2022")] == 0.1073 and published[("CN-HE", "2023")] == 0.6516


def test_every_province_year_resolves_offline_to_its_published_value() -> None:
    library = FactorLibrary.builtin()
    for row in ROWS:
        _assert_published(resolve_in(library, GENERIC, row["region_code"], int(row["year"])).as_json(), row)
    assert resolve_in(library, GENERIC, "CN-YN", 2021).as_json()["line"] == YUNNAN_2021


def test_every_province_year_resolves_on_the_node_to_its_published_value(node: DbNode) -> None:
    for row in ROWS:
        _assert_published(
            resolve_factor(node, None, GENERIC, row["region_code"], int(row["year"])).as_json(), row
        )
    spot = {("CN-YN", 2021): 0.1235, ("CN-YN", 2023): 0.1333, ("CN-HE", 2023): 0.6516}
    for (geography, year), value in spot.items():
        assert resolve_factor(node, None, GENERIC, geography, year).match.factor.emissions == {
            "CO2/fossil": value
        }


def test_product_footprint_falls_back_to_the_national_factor_and_says_why() -> None:
    body = resolve_in(FactorLibrary.builtin(), "product-footprint", "CN-YN", 2023).as_json()
    assert body["factor"]["id"] == "electricity-grid/footprint/CN/2023" and body["factor"]["value"] == 0.6205
    assert body["steps"] == [
        {"kind": "geography", "from": "CN-YN", "to": "CN", "reason": "no-provincial-footprint-factor"}
    ]
    assert body["fallbacks"] == [FOOTPRINT_FALLBACK]
    assert body["line"].startswith(
        "product-footprint · CN-YN 2023 → electricity-grid/footprint/CN/2023 v2026.12"
    )
    assert any("GB/T 24067-2024" in c["document"] for c in body["citations"])
    later = resolve_in(FactorLibrary.builtin(), "product-footprint", "cn-yn", 2026).as_json()
    assert later["geography"] == "CN-YN" and later["factor"]["id"] == "electricity-grid/footprint/CN/2024"
    assert [s["kind"] for s in later["steps"]] == ["geography", "year"]


def test_bad_input_names_the_parameter() -> None:
    library = FactorLibrary.builtin()
    cases = [
        (("no-such-rule", "CN-YN", 2021), "rule", "organisation-inventory/generic"),
        (("cbam-indirect", "CN-YN", 2021), "rule", "product-footprint"),  # its factor is the installation's
        ((GENERIC, "XX", 2021), "geography", "CN-YN"),
        ((GENERIC, "CN-YN", 1800), "year", "1990"),
    ]
    for args, field, hint in cases:
        with pytest.raises(FactorLibraryError) as refused:
            resolve_in(library, *args)
        assert refused.value.field == field and hint in str(refused.value), args
        assert not isinstance(refused.value, FactorNotFoundError)
    only_yunnan = FactorLibrary([library.get("electricity-grid/co2/CN-YN/2021")])
    with pytest.raises(FactorNotFoundError) as missing:
        resolve_in(only_yunnan, GENERIC, "CN-HE", 2021)
    assert missing.value.field == "geography" and "CN-HE, CN-North, CN" in missing.value.detail


def test_the_node_refuses_bad_input_and_an_own_factor_never_replaces_the_published_one(node: DbNode) -> None:
    with pytest.raises(ValidationFailed) as refused:
        resolve_factor(node, None, "no-such-rule", "CN-YN", 2021)
    assert refused.value.field == "rule" and "organisation-inventory/generic" in refused.value.message
    org = organisation(node.db, "Tibet Example Co.")
    own = ",co2,自备电厂因子,Own grid factor,0.45,kgCO2/kWh,,CN-XZ,2023,,Own metering 2023,Tibet Example Co.,,,,"
    service.import_factor_table(
        node, org, table(own + "electricity-grid", header=HEADER + ",kind"), "own.csv"
    )
    # the rule prescribes MEE/NBS's factor: Tibet is in no MEE/NBS table, so the Southwest grid's, for the owner too
    for viewer in (None, org):
        resolved = resolve_factor(node, viewer, GENERIC, "CN-XZ", 2023)
        assert resolved.match.factor.id == "electricity-grid/co2/CN-Southwest/2023"
        assert resolved.match.fallbacks == ("CN-XZ → CN-Southwest: no factor published for CN-XZ",)
    # a geography only the organisation's own grid factors have is known to it, with no factor the rule allows
    vietnam = own.replace("CN-XZ", "VN").replace(",co2,", ",co2-vn,")
    service.import_factor_table(
        node, org, table(vietnam + "electricity-grid", header=HEADER + ",kind"), "vn.csv"
    )
    with pytest.raises(NotFound) as missing:
        resolve_factor(node, org, GENERIC, "VN", 2023)
    assert missing.value.field == "geography"
    with pytest.raises(ValidationFailed):
        resolve_factor(node, None, GENERIC, "VN", 2023)


def test_cli_prints_one_line_and_the_fallback_sentences() -> None:
    out = runner.invoke(
        app, ["factors", "resolve", "--rule", GENERIC, "--geography", "CN-YN", "--year", "2021"]
    )
    assert out.exit_code == 0, out.output
    assert out.output == YUNNAN_2021 + "\n"
    fallback = runner.invoke(
        app, ["factors", "resolve", "--rule", "product-footprint", "--geography", "CN-YN", "--year", "2023"]
    )
    assert fallback.exit_code == 0, fallback.output
    first, second = fallback.output.splitlines()
    assert first.startswith(
        "product-footprint · CN-YN 2023 → electricity-grid/footprint/CN/2023 v2026.12 = 0.6205"
    )
    assert second == f"    fallback: {FOOTPRINT_FALLBACK}"
    for option, value, hint in (
        ("--rule", "nope", "organisation-inventory/generic, organisation-inventory/power-generation"),
        ("--geography", "Yunnan", "CN-YN"),
    ):
        args = {"--rule": GENERIC, "--geography": "CN-YN", "--year": "2021", option: value}
        bad = runner.invoke(app, ["factors", "resolve", *(x for pair in args.items() for x in pair)])
        assert bad.exit_code == 1 and bad.output.count("\n") == 1, bad.output
        assert f"resolve: {option}:" in bad.output and hint in bad.output


def test_api_route_answers_the_same_line(make_node: Any, tmp_path: Path) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    query = {"rule": GENERIC, "geography": "CN-YN", "year": 2021}
    with TestClient(create_app(node=node)) as client:
        resp = client.get("/factors/resolve", params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["line"] == YUNNAN_2021 and body["fallbacks"] == [] and body["citations"]
        page = client.get("/factors", params={"q": "electricity-grid/co2/CN-YN/2021", "limit": 50}).json()
        item = next(i for i in page["items"] if i["id"] == "electricity-grid/co2/CN-YN/2021")
        assert body["factor"] == {k: v for k, v in item.items() if k not in ("score", "matched")}
        fallback = client.get("/factors/resolve", params={**query, "rule": "product-footprint", "year": 2023})
        assert fallback.status_code == 200 and fallback.json()["fallbacks"] == [FOOTPRINT_FALLBACK]
        for params, field in (
            ({**query, "rule": "no-such-rule"}, "rule"),
            ({**query, "geography": "Atlantis"}, "geography"),
            ({"rule": GENERIC, "geography": "CN-YN"}, "query.year"),
        ):
            bad = client.get("/factors/resolve", params=params)
            assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
            assert bad.json()["field"] == field, bad.text
            if field == "rule":
                assert (
                    "organisation-inventory/generic, organisation-inventory/power-generation"
                    in bad.json()["fix"]
                )
        unauthorised = client.get("/factors/resolve", params=query, headers={"Authorization": "Bearer nope"})
        assert unauthorised.status_code == 401
    server = ServerThread(create_app(node=node)).start()
    try:
        args = ["factors", "resolve", "--rule", GENERIC, "--geography", "CN-YN", "--year", "2021"]
        remote = runner.invoke(app, [*args, "--node", server.url])
        assert remote.exit_code == 0 and remote.output == YUNNAN_2021 + "\n", remote.output
    finally:
        server.stop()
