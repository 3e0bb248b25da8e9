"""The database-backed log (node_service.services.log): the shared cache of committed subtree hashes, batched
proofs and bulk appends, on SQLite and PostgreSQL, against the slow recursive reference."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from node_service import transparency as t
from node_service.db import Database, create_database, upgrade_to_head
from node_service.db.models import LogEntry
from node_service.services import log as log_service
from node_service.services.log import TransparencyLog, make_entry, subtree_cache
from node_service.transparency.cache import SubtreeCache

DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
_ids = itertools.count()


def entries(count: int) -> list[dict]:
    return [make_entry("submission", f"urn:test:{next(_ids)}", "ab" * 32, DID) for _ in range(count)]


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = create_database(database_url)
    upgrade_to_head(database.engine)
    yield database
    database.dispose()


def append(db: Database, tlog: TransparencyLog, count: int) -> None:
    with tlog.lock, db.transaction() as session:
        tlog.append(session, entries(count))


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


def test_proofs_from_the_cache_equal_proofs_from_the_database(db: Database) -> None:
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
    misses, hits = cache.misses, cache.hits
    assert misses > 0 and len(cache) > 0
    with db.transaction() as session:
        warm = [tlog.inclusion_proof(session, m, size) for size in (n, 131, 64) for m in range(0, size, 3)]
        batch = [
            proof
            for size in (n, 131, 64)
            for proof in tlog.inclusion_proofs(session, list(range(0, size, 3)), size)
        ]
    assert cache.misses == misses and cache.hits > hits  # the second round came from the cache alone
    reference = [t.inclusion_proof(m, leaves[:size]) for size in (n, 131, 64) for m in range(0, size, 3)]
    assert cold == warm == batch == reference


def test_batched_proofs_of_many_leaves_use_one_query_per_statement_limit(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tlog = TransparencyLog()
    append(db, tlog, 700)
    leaves = committed_leaves(db)
    monkeypatch.setattr(log_service, "_MAX_PARAMS", 64)  # forces several statements for one batch
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


def test_subtree_cache_is_bounded_per_tier_and_least_recently_used() -> None:
    cache = SubtreeCache(upper_level=3, upper_capacity=2, lower_capacity=3)
    digest = bytes(32)
    cache.put_many({(0, i): digest for i in range(5)})
    cache.put_many({(3, 0): digest, (4, 0): digest})
    assert len(cache) == 5
    cache.get_many([(3, 0)])  # (3, 0) is now more recent than (4, 0)
    cache.put_many({(5, 0): digest})
    found, missing = cache.get_many([(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (3, 0), (4, 0), (5, 0)])
    assert sorted(found) == [(0, 2), (0, 3), (0, 4), (3, 0), (5, 0)]
    assert missing == [(0, 0), (0, 1), (4, 0)]
    with pytest.raises(ValueError, match="want all >= 0"):
        SubtreeCache(upper_capacity=-1)


@pytest.mark.parametrize("copy_min_rows", [1, 10**9], ids=["copy", "executemany"])
def test_bulk_appends_read_back_exactly(
    db: Database, monkeypatch: pytest.MonkeyPatch, copy_min_rows: int
) -> None:
    """Whichever way rows are inserted (COPY for large batches on PostgreSQL, executemany otherwise), the ORM
    reads back the same entry, leaf hash and time, and the tree matches the reference."""
    monkeypatch.setattr(log_service, "COPY_MIN_ROWS", copy_min_rows)
    tricky = "tab\there, newline\nthere, back\\slash, quote \" and ' , NUL-free unicode é 中 \U0001f600, \\N"
    batch = [
        make_entry(
            "evidence", f"urn:test:{next(_ids)}", "cd" * 32, DID, cid="bafkrei" + "a" * 52, note=tricky
        )
        for _ in range(150)
    ]
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
