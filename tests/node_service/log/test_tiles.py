"""Tiles of the Merkle tree (node_service.transparency.tiles) and their table log_tree_tiles (migration 0011).

The per-node store is the record; tiles repeat five levels of it under one node. Every read through tiles
must give exactly what the reference RFC 9162 functions give, whether a tile is there or not."""

from __future__ import annotations

import hashlib

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from node_service import transparency as t
from node_service.db import Database, create_database, upgrade_to_head
from node_service.db.migrate import alembic_config
from node_service.log.append import TransparencyLog
from node_service.log.tree_store import SqlTileStore, configure_subtree_cache, subtree_cache, tree_store
from node_service.transparency.cache import SubtreeCache
from node_service.transparency.tiles import (
    TILE_BYTES,
    InMemoryTileStore,
    TiledSubtreeStore,
    tile_node_keys,
    tile_of,
)
from tests.node_service.log.helpers import append, entries


def leaves(count: int, salt: int = 0) -> list[bytes]:
    return [hashlib.sha256(f"{salt}:{i}".encode()).digest() for i in range(count)]


def tiled(cache: bool = True) -> tuple[t.MerkleTree, t.InMemorySubtreeStore, InMemoryTileStore]:
    nodes, tiles = t.InMemorySubtreeStore(), InMemoryTileStore()
    store = TiledSubtreeStore(nodes, tiles, SubtreeCache() if cache else None)
    return t.MerkleTree(store), nodes, tiles


def test_a_tile_lays_out_its_62_nodes_level_by_level() -> None:
    for tile in [(0, 0), (0, 7), (1, 3), (2, 1)]:
        keys = tile_node_keys(tile)
        assert len(keys) == 62 and len(set(keys)) == 62
        assert [tile_of(k) for k in keys] == [(tile, 32 * i) for i in range(62)]
        tier, index = tile
        # the 32 lowest nodes, then 16 … 2, all under the tile's top node (5 * (tier + 1), index)
        assert keys[0] == (5 * tier, index * 32) and keys[-1] == (5 * tier + 4, index * 2 + 1)
    assert TILE_BYTES == 62 * 32


@settings(max_examples=25, deadline=None)
@given(batches=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=8))
def test_tiled_reads_equal_the_reference_for_any_appends(batches: list[int]) -> None:
    tree, nodes, tiles = tiled()
    hashes = leaves(sum(batches))
    size = 0
    for count in batches:
        size = tree.append_leaves(size, hashes[size : size + count])
    # exactly the complete tiles are stored, each the concatenation of its nodes
    expected = {(tier, i) for tier in range(3) for i in range(size >> (5 * (tier + 1)))}
    assert set(tiles.tiles) == expected
    for tile, blob in tiles.tiles.items():
        assert blob == b"".join(nodes.get_many(tile_node_keys(tile)).values())
    for n in sorted({size, max(1, size // 2), min(size, 33), min(size, 1025)}):
        assert tree.root(n) == t.mth(hashes[:n])
        for m in sorted({0, n // 3, n // 2, n - 1}):
            assert tree.inclusion_proof(m, n) == t.inclusion_proof(m, hashes[:n])
        for old in sorted({1, n // 2, n - 1, n}):
            assert tree.consistency_proof(old, n) == t.consistency_proof(old, hashes[:n])


def test_a_missing_tile_is_read_from_the_nodes_and_a_cached_tree_answers_the_same() -> None:
    hashes = leaves(1100)
    tree, nodes, tiles = tiled()
    tree.append_leaves(0, hashes)
    assert (1, 0) in tiles.tiles and (0, 33) in tiles.tiles
    proofs = [tree.inclusion_proof(m, 1100) for m in range(0, 1100, 7)]
    del tiles.tiles[(0, 3)], tiles.tiles[(1, 0)]  # as for a log whose tiles were never written
    fresh = t.MerkleTree(TiledSubtreeStore(nodes, tiles))
    assert [fresh.inclusion_proof(m, 1100) for m in range(0, 1100, 7)] == proofs
    assert [tree.inclusion_proof(m, 1100) for m in range(0, 1100, 7)] == proofs  # warm cache
    assert proofs == [t.inclusion_proof(m, hashes) for m in range(0, 1100, 7)]


def test_reads_beyond_the_stored_tree_fail_as_without_tiles() -> None:
    tree, _, _ = tiled(cache=False)
    tree.append_leaves(0, leaves(40))
    with pytest.raises(t.MissingSubtreeError, match="not in the store"):
        tree.inclusion_proof(3, 64)


def test_completing_a_tile_whose_older_nodes_are_lost_is_refused() -> None:
    nodes, tiles = t.InMemorySubtreeStore(), InMemoryTileStore()
    tree = t.MerkleTree(TiledSubtreeStore(nodes, tiles))
    hashes = leaves(32)
    tree.append_leaves(0, hashes[:20])
    del nodes._nodes[(1, 2)]  # a node of the incomplete tile goes missing
    with pytest.raises(t.MissingSubtreeError, match=r"tile: subtree hashes \[\(1, 2\)\]"):
        tree.append_leaves(20, hashes[20:])


def test_a_cache_only_keeps_what_it_is_told_is_committed() -> None:
    nodes, tiles = t.InMemorySubtreeStore(), InMemoryTileStore()
    cache = SubtreeCache()
    committed = False
    store = TiledSubtreeStore(nodes, tiles, cache, lambda: committed)
    tree = t.MerkleTree(store)
    tree.append_leaves(0, leaves(1030))
    tree.inclusion_proof(1029, 1030)
    assert len(cache) == 0
    committed = True
    tree.inclusion_proof(1029, 1030)
    tree.inclusion_proof(5, 1030)
    found, _ = cache.get_many(tile_node_keys((1, 0)))
    assert len(found) == 62  # an upper tile enters whole
    assert not cache.get_many(tile_node_keys((0, 0))[:31])[0]  # a bottom tile's nodes do not, one by one,
    assert cache.get_tile(0) == tiles.tiles[(0, 0)]  # but as a tile
    assert cache.tiles == 1  # leaf 1029's bottom tile is not complete: its nodes came one by one


class CountingTiles(InMemoryTileStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_tiles(self, keys):
        self.reads += len(keys)
        return super().get_tiles(keys)


def test_with_its_bottom_tile_cached_a_proof_reads_no_tile_and_stays_right() -> None:
    nodes, tiles = t.InMemorySubtreeStore(), CountingTiles()
    cache = SubtreeCache()
    tree = t.MerkleTree(TiledSubtreeStore(nodes, tiles, cache))
    hashes = leaves(3000)
    tree.append_leaves(0, hashes)
    want = [t.inclusion_proof(m, hashes) for m in range(0, 3000, 11)]
    assert [tree.inclusion_proof(m, 3000) for m in range(0, 3000, 11)] == want  # cold: the tiles are read
    assert cache.tiles == 3000 // 32
    reads = tiles.reads
    assert [tree.inclusion_proof(m, 3000) for m in range(0, 3000, 11)] == want  # warm
    assert tree.inclusion_proofs(list(range(0, 3000, 11)), 3000) == want
    assert tiles.reads == reads


def test_the_tile_tier_is_bounded_and_drops_its_oldest_tiles_first() -> None:
    cache = SubtreeCache(tile_capacity=2)
    cache.put_tiles({0: b"a", 1: b"b"})
    cache.put_tiles({1: b"B", 2: b"c"})  # a tile held already is not replaced (it cannot change)
    assert [cache.get_tile(i) for i in range(3)] == [None, b"b", b"c"]
    off = SubtreeCache(tile_capacity=0)
    off.put_tiles({0: b"a"})
    assert off.get_tile(0) is None and off.tiles == 0
    cache.clear()
    assert cache.tiles == 0
    with pytest.raises(ValueError, match="tile_capacity -1"):
        SubtreeCache(tile_capacity=-1)


# --- the database ------------------------------------------------------------------------------------


def stored_tiles(db: Database) -> dict[tuple[int, int], bytes]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT tier, tile, hashes FROM log_tree_tiles")).all()
    return {(tier, tile): bytes(h) for tier, tile, h in rows}


def test_appends_write_each_tile_once_with_its_nodes(db: Database) -> None:
    tlog = TransparencyLog()
    for count in (3, 29, 1, 700, 400):  # 1,133 leaves: tiles complete across appends
        append(db, tlog, count)
    tiles = stored_tiles(db)
    assert set(tiles) == {(0, i) for i in range(35)} | {(1, 0)}
    with db.transaction() as session:
        nodes = tree_store(session).nodes
        for tile, blob in tiles.items():
            assert blob == b"".join(nodes.get_many(tile_node_keys(tile))[k] for k in tile_node_keys(tile))
        assert SqlTileStore(session).get_tiles([(0, 34), (0, 35), (1, 1)]).keys() == {(0, 34)}


def test_a_rolled_back_append_leaves_no_tile(db: Database) -> None:
    tlog = TransparencyLog()
    append(db, tlog, 20)
    with pytest.raises(RuntimeError), tlog.lock, db.transaction() as session:
        tlog.append(session, entries(50, "key"))
        raise RuntimeError("roll back")
    assert stored_tiles(db) == {}
    append(db, tlog, 12)
    assert set(stored_tiles(db)) == {(0, 0)}


def test_the_migration_fills_the_tiles_of_an_existing_log(database_url: str) -> None:
    db = create_database(database_url)
    upgrade_to_head(db.engine)
    try:
        tlog = TransparencyLog()
        for count in (1000, 100):
            append(db, tlog, count)
        written = stored_tiles(db)
        assert len(written) == 35
        cfg = alembic_config(database_url)
        command.downgrade(cfg, "0011_tree_tiles@-1")  # drops log_tree_tiles
        command.upgrade(cfg, "heads")  # creates it again, filled from log_tree_nodes
        assert stored_tiles(db) == written
        # a tree store that lost a node cannot be tiled: the migration says which level and tiles
        command.downgrade(cfg, "0011_tree_tiles@-1")
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM log_tree_nodes WHERE level = 2 AND idx = 17"))
        with pytest.raises(RuntimeError, match=r"lacks hashes at level 2 for tiles 0\.\.33 of tier 0"):
            command.upgrade(cfg, "heads")
    finally:
        db.dispose()


def test_a_configured_cache_replaces_the_databases_cache_with_its_tile_capacity(db: Database) -> None:
    cache = configure_subtree_cache(db.engine, 3 * TILE_BYTES + 5)
    assert cache is not None and cache.tile_capacity == 3
    assert subtree_cache(db.engine) is cache
    tlog = TransparencyLog()
    append(db, tlog, 200)  # six bottom tiles
    with db.transaction() as session:
        proofs = [tlog.inclusion_proof(session, m, 200) for m in range(0, 192, 32)]
    assert cache.tiles == 3  # the three read last
    with db.transaction() as session:
        assert [tlog.inclusion_proof(session, m, 200) for m in range(0, 192, 32)] == proofs
