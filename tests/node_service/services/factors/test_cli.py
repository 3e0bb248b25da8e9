"""``tanlian factors search|show|import``: offline against the built-in library, and against a node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from node_service.app import create_app
from node_service.cli.main import app
from node_service.services.factors.table_import import namespace
from tests.identifier_resolver.helpers import ServerThread
from tests.node_service.helpers import register
from tests.node_service.services.factors.helpers import own_alumina, table

runner = CliRunner()


def test_offline_search_prints_the_cpcd_row_with_its_source() -> None:
    out = runner.invoke(app, ["factors", "search", "电解铝"])
    assert out.exit_code == 0, out.output
    assert "电解铝" in out.output and "41431X0102018C" in out.output and "CPCD" in out.output
    assert "material/primary-aluminium-electrolytic/CN/2018" in out.output and "20300 kgCO2e/t" in out.output
    as_json = runner.invoke(app, ["factors", "search", "aluminium", "--json", "--limit", "50"])
    assert as_json.exit_code == 0 and '"cpcdCode": "41431X0102018C"' in as_json.output


def test_offline_show_and_one_line_errors() -> None:
    out = runner.invoke(app, ["factors", "show", "electricity-grid/co2/CN-YN/2023"])
    assert out.exit_code == 0 and "0.1333 kgCO2/kWh" in out.output and "publisher" in out.output
    missing = runner.invoke(app, ["factors", "show", "material/nothing/CN/2020"])
    assert missing.exit_code == 1 and "tanlian factors search" in missing.output
    bad = runner.invoke(app, ["factors", "search", "x", "--kind", "plastic"])
    assert bad.exit_code == 1 and bad.output.count("\n") == 1 and "kind" in bad.output


def test_offline_import_checks_a_table_and_lists_every_problem(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(table(own_alumina()))
    out = runner.invoke(app, ["factors", "import", str(good)])
    assert out.exit_code == 0 and "1 factor(s) read" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(table(own_alumina("x"), ",k,名称,,1,kgCO2e/t,,CN,2024,,,P,,,"))
    refused = runner.invoke(app, ["factors", "import", str(bad)])
    assert refused.exit_code == 1
    assert "row 2, column value" in refused.output and "row 3, column source_title" in refused.output


def test_against_a_node_with_a_token(make_node: Any, tmp_path: Path) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    server = ServerThread(create_app(node=node)).start()
    try:
        with TestClient(create_app(node=node)) as client:
            org = register(client, "CLI user", ["supplier"])
            # the API itself: anonymous reads the public library, an invalid token is a 401
            page = client.get("/factors", params={"q": "aluminium", "limit": 50})
            assert page.status_code == 200, page.text
            cpcd = [i for i in page.json()["items"] if i["sourceId"] == "cpcd"]
            assert cpcd and all(
                i["cpcdCode"] and i["publisher"] and i["source"] and i["nameZh"] for i in cpcd
            )
            assert "material/primary-aluminium-electrolytic/CN/2018" in {i["id"] for i in cpcd}
            assert client.get("/factors", headers={"Authorization": "Bearer nope"}).status_code == 401
            shown = client.get("/factors/material/primary-aluminium-electrolytic/CN/2018").json()
            assert shown["value"] == 20300 and [v["current"] for v in shown["versions"]] == [True]
            bad = client.get("/factors", params={"limit": 0})
            assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        own = tmp_path / "own.csv"
        own.write_bytes(table(own_alumina()))
        no_token = runner.invoke(app, ["factors", "import", str(own), "--node", server.url], env={})
        assert no_token.exit_code == 1 and "token" in no_token.output
        imported = runner.invoke(
            app, ["factors", "import", str(own), "--node", server.url, "--token", org.token]
        )
        assert imported.exit_code == 0, imported.output
        factor_id = f"{namespace(org.id)}/alumina-own/CN-YN/2024"
        assert f"new      {factor_id}" in imported.output
        mine = runner.invoke(app, ["factors", "search", "自产", "--node", server.url, "--token", org.token])
        assert mine.exit_code == 0 and factor_id in mine.output and "not redistributable" in mine.output
        public = runner.invoke(app, ["factors", "search", "自产", "--node", server.url])
        assert public.exit_code == 0 and factor_id not in public.output
        shown = runner.invoke(app, ["factors", "show", factor_id, "--node", server.url, "--token", org.token])
        assert shown.exit_code == 0 and "version 1" in shown.output and "EPD 氧化铝 2024" in shown.output
        cpcd = runner.invoke(app, ["factors", "search", "电解铝", "--node", server.url])
        assert cpcd.exit_code == 0 and "41431X0102018C" in cpcd.output
        bad_token = runner.invoke(app, ["factors", "search", "铝", "--node", server.url, "--token", "nope"])
        assert bad_token.exit_code == 1 and "401" in bad_token.output
    finally:
        server.stop()
