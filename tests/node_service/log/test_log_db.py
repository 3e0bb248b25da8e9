"""The database-backed log (node_service.log.append): the shared cache of committed subtree hashes, batched
proofs and bulk appends, on SQLite and PostgreSQL, against the slow recursive reference."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from node_service import transparency as t
from node_service.db import Database, create_database
from node_service.db.models import LogEntry
from node_service.log import tree_store as log_store
from node_service.log.append import TransparencyLog
from node_service.log.tree_store import subtree_cache
from node_service.transparency.cache import SubtreeCache
from tests.node_service.log.helpers import DID, append, entries


def committed_leaves(db: Database) -> list[bytes]:
    with db.transaction() as session:
        rows = session.execute(select(LogEntry.leaf_hash).order_by(LogEntry.leaf_index)).scalars()
        return [bytes(h) for h in rows]


def test_a_rolled_back_append_leaves_nothing_in_the_cache(db: Database) -> None:
    tlog = TransparencyLog()
    append(db, tlog, 5)
    cache = subtree_cache(db.engine)
    assert cache is not None
    with db.transaction() as session:
        tlog.root(session, 5)  # a reader caches committed nodes
    assert len(cache) > 0
    # (1): an append that reads its own new nodes (root, proofs, a second append) and then rolls back
    with pytest.raises(RuntimeError), tlog.lock, db.transaction() as session:
        tlog.append(session, entries(3))
        tlog.append(session, entries(4))  # reads the right edge written just above
        assert len(tlog.inclusion_proof(session, 6, 12)) == t.inclusion_proof_size(6, 12)
        tlog.root(session, 12)
        tlog.consistency_proof(session, 5, 12)
        raise RuntimeError("roll back")
    # none of the nodes that transaction wrote (every key covering a leaf >= 5) entered the cache
    found, _ = cache.get_many([(level, idx) for level in range(5) for idx in range(16)])
    assert found and all((idx + 1) << level <= 5 for level, idx in found), sorted(found)
    # (2): a different append at the same keys, then proofs read through the cache equal the reference
    append(db, tlog, 7)
    leaves = committed_leaves(db)
    assert len(leaves) == 12
    for _ in range(2):  # cold, then warm
        with db.transaction() as session:
            assert tlog.root(session, 12) == t.mth(leaves)
            for m in range(12):
                assert tlog.inclusion_proof(session, m, 12) == t.inclusion_proof(m, leaves)
            for old in range(13):
                assert tlog.consistency_proof(session, old, 12) == t.consistency_proof(old, leaves[:12])
    assert cache.hits > 0


def test_reads_in_a_later_transaction_of_an_appending_session_are_cached(db: Database) -> None:
    tlog = TransparencyLog()
    with tlog.lock, db.sessions() as session:
        with session.begin():
            tlog.append(session, entries(4))
            tlog.root(session, 4)
        cache = subtree_cache(db.engine)
        assert cache is not None and len(cache) == 0  # read while appending: not cached
        with session.begin():
            tlog.root(session, 4)  # committed now: a new transaction may cache what it reads
        assert cache.get_many([(2, 0)])[0] == {(2, 0): t.mth(committed_leaves(db))}


def test_proofs_from_the_cache_equal_proofs_from_the_database(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tlog = TransparencyLog()
    for count in (1, 2, 30, 100, 200):
        append(db, tlog, count)
    leaves = committed_leaves(db)
    n = len(leaves)
    cache = subtree_cache(db.engine)
    assert cache is not None
    cache.clear()
    with db.transaction() as session:
        cold = [tlog.inclusion_proof(session, m, size) for size in (n, 131, 64) for m in range(0, size, 3)]
    hits = cache.hits
    assert cache.misses > 0 and len(cache) > 0
    node_reads: list[int] = []
    read_nodes = log_store.SqlSubtreeStore.get_many

    def spy(self: log_store.SqlSubtreeStore, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        node_reads.append(len(keys))
        return read_nodes(self, keys)

    monkeypatch.setattr(log_store.SqlSubtreeStore, "get_many", spy)
    with db.transaction() as session:
        warm = [tlog.inclusion_proof(session, m, size) for size in (n, 131, 64) for m in range(0, size, 3)]
        batch = [
            proof
            for size in (n, 131, 64)
            for proof in tlog.inclusion_proofs(session, list(range(0, size, 3)), size)
        ]
    # the second round read no node rows: the right edge and upper nodes came from the cache, the low
    # levels of complete tiles from their tiles (tier-0 tiles are not cached)
    assert node_reads == [] and cache.hits > hits
    reference = [t.inclusion_proof(m, leaves[:size]) for size in (n, 131, 64) for m in range(0, size, 3)]
    assert cold == warm == batch == reference


def test_batched_proofs_of_many_leaves_use_one_query_per_statement_limit(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tlog = TransparencyLog()
    append(db, tlog, 700)
    leaves = committed_leaves(db)
    monkeypatch.setattr(log_store, "_MAX_PARAMS", 64)  # forces several statements for one batch
    cache = subtree_cache(db.engine)
    assert cache is not None
    cache.clear()
    with db.transaction() as session:
        proofs = tlog.inclusion_proofs(session, list(range(700)), 700)
    assert proofs == [t.inclusion_proof(m, leaves) for m in range(700)]
    with pytest.raises(t.MerkleInputError, match="leaf_index: got 700, want < tree_size 700"):
        with db.transaction() as session:
            tlog.inclusion_proofs(session, [0, 700], 700)


def test_in_memory_sqlite_gets_no_shared_cache() -> None:
    database = create_database("sqlite://")
    try:
        assert subtree_cache(database.engine) is None  # sessions share one connection there
    finally:
        database.dispose()


def test_subtree_cache_is_bounded_per_tier_first_in_first_out() -> None:
    cache = SubtreeCache(upper_level=3, upper_capacity=2, lower_capacity=3)
    digest = bytes(32)
    cache.put_many({(0, i): digest for i in range(5)})
    cache.put_many({(3, 0): digest, (4, 0): digest})
    assert len(cache) == 5
    cache.get_many([(3, 0)])  # a hit does not reorder: (3, 0) is still the oldest upper entry
    cache.put_many({(4, 0): digest})  # already there: nothing moves
    cache.put_many({(5, 0): digest})
    found, missing = cache.get_many([(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (3, 0), (4, 0), (5, 0)])
    assert sorted(found) == [(0, 2), (0, 3), (0, 4), (4, 0), (5, 0)]
    assert missing == [(0, 0), (0, 1), (3, 0)]
    with pytest.raises(ValueError, match="want all >= 0"):
        SubtreeCache(upper_capacity=-1)


@pytest.mark.parametrize("copy_min_rows", [1, 10**9], ids=["copy", "executemany"])
def test_bulk_appends_read_back_exactly(
    db: Database, monkeypatch: pytest.MonkeyPatch, copy_min_rows: int
) -> None:
    """Whichever way rows are inserted (COPY for large batches on PostgreSQL, executemany otherwise), the ORM
    reads back the same entry, leaf hash and time, and the tree matches the reference."""
    monkeypatch.setattr(log_store, "COPY_MIN_ROWS", copy_min_rows)
    tricky = "tab\there, newline\nthere, back\\slash, quote \" and ' , NUL-free unicode é 中 \U0001f600, \\N"
    batch = entries(150, "evidence", "cd" * 32, cid="bafkrei" + "a" * 52, note=tricky)
    tlog = TransparencyLog()
    with tlog.lock, db.transaction() as session:
        written = tlog.append(session, batch)
    with db.transaction() as session:
        rows = session.execute(select(LogEntry).order_by(LogEntry.leaf_index)).scalars().all()
        assert [r.entry for r in rows] == batch
        assert [r.entry_id for r in rows] == [e["id"] for e in batch]
        assert [r.organisation_did for r in rows] == [DID] * 150
        assert [bytes(r.leaf_hash) for r in rows] == [w["leaf_hash"] for w in written]
        assert [bytes(r.leaf_hash) for r in rows] == [t.entry_leaf_hash(e) for e in batch]
        assert all(r.created_at == rows[0].created_at for r in rows)
        if db.engine.dialect.name == "postgresql":  # timestamptz: an aware UTC time
            assert rows[0].created_at.utcoffset() is not None
        leaves = [bytes(r.leaf_hash) for r in rows]
        assert tlog.root(session, 150) == t.mth(leaves)
        assert tlog.inclusion_proof(session, 149, 150) == t.inclusion_proof(149, leaves)
