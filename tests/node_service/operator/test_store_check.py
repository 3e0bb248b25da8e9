"""``tanlian log check-store``: the stored tree checked against its entries, and every kind of damage named."""

from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from node_service.cli.main import app as cli
from node_service.db import Database
from node_service.log.append import TransparencyLog
from node_service.operator.store_check import check_store
from node_service.transparency.merkle import hash_leaf
from tests.node_service.log.helpers import append


def build(db: Database) -> None:
    tlog = TransparencyLog()
    for count in (700, 400, 9):  # 1,109 entries: tiers 0 and 1, an incomplete tail
        append(db, tlog, count)


def results(db: Database) -> dict[str, tuple[bool, str]]:
    return {c.name: (c.ok, c.detail) for c in check_store(db).checks}


def damage(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        assert conn.execute(text(sql), params).rowcount == 1


def test_an_intact_log_passes(db: Database) -> None:
    build(db)
    report = check_store(db)
    assert report.ok, report.checks
    assert results(db)["tiles"] == (True, "35 tiles equal their nodes")  # 34 of tier 0, 1 of tier 1


def test_an_edited_entry_is_found(db: Database) -> None:
    build(db)
    with db.engine.connect() as conn:
        entry = conn.execute(text("SELECT entry FROM log_entries WHERE leaf_index = 500")).scalar_one()
    entry = json.loads(entry) if isinstance(entry, str) else entry
    entry["sha256"] = "cd" * 32
    damage(db, "UPDATE log_entries SET entry = :e WHERE leaf_index = 500", e=json.dumps(entry))
    found = results(db)
    assert found["entries"][0] is False
    assert "entry 500" in found["entries"][1] and "not the hash of the entry" in found["entries"][1]
    assert found["nodes"][0] and found["tiles"][0]


def test_a_changed_node_is_found_in_the_nodes_and_its_tile(db: Database) -> None:
    build(db)
    damage(db, "UPDATE log_tree_nodes SET hash = :h WHERE level = 3 AND idx = 5", h=hash_leaf(b"forged"))
    found = results(db)
    assert found["entries"][0]
    assert (
        not found["nodes"][0]
        and found["nodes"][1] == "2 problem(s), the first: node (3, 5) is not the hash of its children"
    )  # and its parent
    assert not found["tiles"][0] and "tile (0, 1) differs from its nodes" in found["tiles"][1]


def test_missing_rows_are_named(db: Database) -> None:
    build(db)
    damage(db, "DELETE FROM log_tree_tiles WHERE tier = 0 AND tile = 7")
    damage(db, "DELETE FROM log_tree_nodes WHERE level = 0 AND idx = 1000")
    found = results(db)
    assert (
        not found["tiles"][0]
        and "tier 0 tiles: 1 missing between 0 and 33, the first [7]" in found["tiles"][1]
    )
    assert not found["entries"][0] and "leaf nodes: 1 missing" in found["entries"][1]


def test_the_command_exits_1_on_damage_and_says_what_to_do(db: Database, database_url: str) -> None:
    build(db)
    runner = CliRunner()
    ok = runner.invoke(cli, ["log", "check-store", "--database-url", database_url])
    assert ok.exit_code == 0, ok.output
    assert "PASS  tiles" in ok.output and "the stored log is intact" in ok.output
    damage(db, "UPDATE log_tree_tiles SET hashes = :h WHERE tier = 1 AND tile = 0", h=bytes(1984))
    bad = runner.invoke(cli, ["log", "check-store", "--database-url", database_url])
    assert bad.exit_code == 1
    assert "FAIL  tiles" in bad.output and "tile (1, 0) differs from its nodes" in bad.output
    assert "restore the database from a backup" in bad.output
