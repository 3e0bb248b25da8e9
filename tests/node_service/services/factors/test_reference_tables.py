"""Reference tables on the node: recorded at start with the package's versions, a changed table gets a new
version (the old one still readable), the API's reads and 404s, and ``tanlian factors tables|table``."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from footprint_engine.reference import ReferenceTable, reference_table, reference_tables
from node_service.app import create_app
from node_service.cli.main import app
from node_service.errors import NotFound
from node_service.services.factors.models import ReferenceTableVersion
from node_service.services.factors.reference_tables import show_table, sync_reference_tables
from tests.identifier_resolver.helpers import ServerThread
from tests.node_service.services.factors.helpers import DbNode

runner = CliRunner()


def _recorded(node: Any) -> list[tuple[str, str, int, bool]]:
    with node.db.transaction() as session:
        rows = session.execute(select(ReferenceTableVersion).order_by(ReferenceTableVersion.seq)).scalars()
        return [(r.name, r.version, r.row_count, r.current) for r in rows]


def _with_gwp(ch4: float) -> list[ReferenceTable]:
    """The package's tables, with GWP100's CH4 row changed as a corrected file would change it."""
    gwp = reference_table("gwp100")
    rows = tuple(
        dataclasses.replace(r, values={**r.values, "ar6": ch4}) if r["gas"] == "CH4" else r for r in gwp.rows
    )
    changed = dataclasses.replace(gwp, rows=rows, sha256=f"{int(ch4 * 10):064d}", version="unrecorded-x")
    return [changed if t.name == "gwp100" else t for t in reference_tables()]


def test_recorded_at_node_start_read_through_the_api_and_the_cli(make_node: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    node = make_node(url)
    shipped = {t.name: (t.version, len(t)) for t in reference_tables()}
    assert {name: (v, n) for name, v, n, _ in _recorded(node)} == shipped
    assert shipped["energy-limit-levels"] == ("2026-12", 165)
    server = ServerThread(create_app(node=node)).start()
    try:
        with TestClient(create_app(node=node)) as client:
            listed = client.get("/reference-tables")
            assert listed.status_code == 200, listed.text
            by_name = {t["name"]: t for t in listed.json()["data"]}
            levels = by_name["energy-limit-levels"]
            assert (levels["version"], levels["rows"], levels["review"], levels["current"]) == (
                "2026-12",
                165,
                165,
                True,
            )
            assert levels["titleZh"].startswith("单位产品能源消耗限额") and levels["titleEn"]
            assert sum(s["rows"] for s in levels["sources"]) == 165
            assert by_name["park-indicators-aii2021"]["review"] == 0
            shown = client.get("/reference-tables/energy-limit-levels")
            assert shown.status_code == 200, shown.text
            body = shown.json()
            assert len(body["rows"]) == 165 and all(r["provenance"]["review"] for r in body["rows"])
            assert body["rows"][0]["provenance"]["source"].startswith("GB 16780-2021")
            assert [v["version"] for v in body["versions"]] == ["2026-12"]
            same = client.get("/reference-tables/energy-limit-levels", params={"version": "2026-12"})
            assert same.json()["rows"] == body["rows"]
            park = client.get("/reference-tables/park-indicators-aii2021").json()
            assert "park_accounting_aii2021.md" in park["documents"]
            missing = client.get("/reference-tables/benchmark-levels")
            assert missing.status_code == 404
            assert missing.headers["content-type"] == "application/problem+json"
            assert "benchmark-levels" in missing.json()["detail"]
            assert "energy-limit-levels" in missing.json()["detail"]
            old = client.get("/reference-tables/gwp100", params={"version": "0"})
            assert (
                old.status_code == 404
                and old.json()["field"] == "version"
                and "gwp100" in old.json()["detail"]
            )
        listed_cli = runner.invoke(app, ["factors", "tables", "--node", server.url])
        assert listed_cli.exit_code == 0, listed_cli.output
        assert "energy-limit-levels  v2026-12  165 rows, 165 待复核 / needs review" in listed_cli.output
        table_cli = runner.invoke(app, ["factors", "table", "gwp100", "--node", server.url, "--version", "9"])
        assert table_cli.exit_code == 1 and "no version '9' (recorded: 1)" in table_cli.output
    finally:
        server.stop()
    node.stop()
    again = make_node(url)  # a restart records nothing new
    assert len(_recorded(again)) == len(shipped)
    started = time.perf_counter()
    assert sync_reference_tables(again.db).added == 0
    elapsed = time.perf_counter() - started
    print(f"reference tables, sync with nothing changed: {elapsed * 1000:.1f} ms")
    assert elapsed < 2.0


def test_a_changed_table_gets_a_new_version_and_the_old_one_stays_readable(node: DbNode) -> None:
    sync_reference_tables(node.db)
    assert sync_reference_tables(node.db).added == 0
    before = len(_recorded(node))
    monday = datetime(2027, 3, 1, 9, tzinfo=UTC)
    report = sync_reference_tables(node.db, _with_gwp(29.8), now=monday)
    assert (report.added, report.new_versions, report.withdrawn) == (0, 1, 0)
    assert sync_reference_tables(node.db, _with_gwp(29.8)).new_versions == 0  # idempotent
    assert len(_recorded(node)) == before + 1
    current = show_table(node, "gwp100")
    assert current["version"] == "unrecorded-x" and current["current"] is True
    assert next(r for r in current["rows"] if r["values"]["gas"] == "CH4")["values"]["ar6"] == 29.8
    old = show_table(node, "gwp100", version="1")
    assert old["current"] is False and old["validTo"] == date(2027, 2, 28).isoformat()
    assert next(r for r in old["rows"] if r["values"]["gas"] == "CH4")["values"]["ar6"] == 27.9
    assert [(v["version"], v["current"]) for v in current["versions"]] == [
        ("1", False),
        ("unrecorded-x", True),
    ]
    # the package's file back again: the same rows as version 1, recorded as the next version (never rewritten)
    assert sync_reference_tables(node.db).new_versions == 1
    assert show_table(node, "gwp100")["version"] == "2"
    # a table no longer shipped is withdrawn: its versions stay readable, it has no current one
    without = [t for t in reference_tables() if t.name != "park-indicators-aii2021"]
    assert sync_reference_tables(node.db, without).withdrawn == 1
    with pytest.raises(NotFound, match="withdrawn"):
        show_table(node, "park-indicators-aii2021")
    assert len(show_table(node, "park-indicators-aii2021", version="1")["rows"]) == 69
    assert sync_reference_tables(node.db).added == 1
    assert show_table(node, "park-indicators-aii2021")["version"] == "2"


def test_offline_cli_lists_the_package_tables_and_marks_rows_for_review() -> None:
    listed = runner.invoke(app, ["factors", "tables"])
    assert listed.exit_code == 0, listed.output
    assert "energy-limit-levels  v2026-12  165 rows, 165 待复核 / needs review" in listed.output
    assert "park-indicators-aii2021  v1  69 rows\n" in listed.output
    shown = runner.invoke(app, ["factors", "table", "energy-limit-levels"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("[待复核 / needs review]") == 165
    assert "水泥熟料" in shown.output and "GB 16780-2021" in shown.output
    park = runner.invoke(app, ["factors", "table", "park-indicators-aii2021"])
    assert park.exit_code == 0 and "待复核" not in park.output
    as_json = runner.invoke(app, ["factors", "table", "gwp100", "--json"])
    assert as_json.exit_code == 0 and '"reviewNote"' in as_json.output
    unknown = runner.invoke(app, ["factors", "table", "benchmark-levels"])
    assert unknown.exit_code == 1 and "energy-limit-levels" in unknown.output
    older = runner.invoke(app, ["factors", "table", "gwp100", "--version", "0"])
    assert older.exit_code == 1 and "--node" in older.output
