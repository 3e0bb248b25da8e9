"""MerkleTree over a subtree store against the slow recursive reference, its store contract and its errors."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node_service import transparency as t
from node_service.transparency.tree import NodeKey


def leaves(n: int, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return [t.hash_leaf(rng.randbytes(12)) for _ in range(n)]


class CountingStore(t.InMemorySubtreeStore):
    def __init__(self) -> None:
        super().__init__()
        self.gets: list[int] = []
        self.puts = 0

    def get_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        self.gets.append(len(keys))
        return super().get_many(keys)

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None:
        self.puts += 1
        super().put_many(items)


class SQLiteStore:
    """The shape of the node's SQL store: table log_tree_nodes(level, idx, hash), primary key (level, idx)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "create table log_tree_nodes (level int, idx bigint, hash blob, primary key (level, idx))"
        )

    def get_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        if not keys:
            return {}
        where = " or ".join(["(level = ? and idx = ?)"] * len(keys))
        params = [v for k in keys for v in k]
        rows = self.db.execute(f"select level, idx, hash from log_tree_nodes where {where}", params)
        return {(lvl, idx): h for lvl, idx, h in rows}

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None:
        self.db.executemany(
            "insert into log_tree_nodes values (?, ?, ?)", [(*k, h) for k, h in items.items()]
        )


def test_stores_satisfy_the_protocol() -> None:
    assert isinstance(t.InMemorySubtreeStore(), t.SubtreeStore)
    assert isinstance(SQLiteStore(), t.SubtreeStore)


@settings(max_examples=30, deadline=None)
@given(batches=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=6))
def test_tree_matches_reference_for_any_batching(batches: list[int]) -> None:
    data = leaves(sum(batches), seed=len(batches))
    tree, size = t.MerkleTree(t.InMemorySubtreeStore()), 0
    for b in batches:
        assert tree.append_leaves(size, data[size : size + b]) == size + b
        size += b
    for n in range(size + 1):
        assert tree.root(n) == t.mth(data[:n])
    for n in {1, size // 3, size // 2, size - 1, size} & set(range(1, size + 1)):
        for m in range(n):
            assert tree.inclusion_proof(m, n) == t.inclusion_proof(m, data[:n])
        for m in range(n + 1):
            assert tree.consistency_proof(m, n) == t.consistency_proof(m, data[:n])


def test_sql_backed_store_gives_the_same_tree() -> None:
    data = leaves(300, seed=3)
    mem, sql = t.MerkleTree(t.InMemorySubtreeStore()), t.MerkleTree(SQLiteStore())
    size = 0
    for step in (1, 1, 2, 5, 50, 7, 100, 134):
        mem.append_leaves(size, data[size : size + step])
        size = sql.append_leaves(size, data[size : size + step])
    assert size == 300
    assert sql.root(300) == mem.root(300) == t.mth(data)
    assert sql.inclusion_proof(123, 257) == mem.inclusion_proof(123, 257)
    assert sql.consistency_proof(100, 300) == t.consistency_proof(100, data)


def test_store_holds_every_complete_perfect_subtree_once() -> None:
    store = t.InMemorySubtreeStore()
    tree = t.MerkleTree(store)
    size = 0
    for step in (3, 1, 9, 100, 27):
        size = tree.append_leaves(size, leaves(step, seed=size))
        assert len(store) == 2 * size - size.bit_count()


def test_each_operation_makes_one_lookup_of_log_n_keys() -> None:
    store = CountingStore()
    tree = t.MerkleTree(store)
    size = 0
    for _ in range(64):
        size = tree.append_leaves(size, leaves(1000, seed=size))
    assert store.puts == 64
    store.gets.clear()
    n = 64_000
    tree.root(n)
    tree.inclusion_proof(12_345, n)
    tree.consistency_proof(40_001, n)
    tree.append_leaves(n, leaves(1))
    assert len(store.gets) == 4
    assert max(store.gets) <= 2 * n.bit_length()


def test_historical_sizes_are_served_after_growth() -> None:
    data = leaves(100)
    tree = t.MerkleTree(t.InMemorySubtreeStore())
    tree.append_leaves(0, data[:37])
    old_root, old_proof = tree.root(37), tree.inclusion_proof(5, 37)
    tree.append_leaves(37, data[37:])
    assert tree.root(37) == old_root
    assert tree.inclusion_proof(5, 37) == old_proof
    t.verify_consistency(37, 100, old_root, tree.root(100), tree.consistency_proof(37, 100))


def test_append_at_a_stale_size_is_refused() -> None:
    tree = t.MerkleTree(t.InMemorySubtreeStore())
    tree.append_leaves(0, leaves(10))
    with pytest.raises(t.MerkleInputError, match="leaf 9 is already stored — size_before is stale"):
        tree.append_leaves(9, leaves(2, seed=1))
    with pytest.raises(t.MissingSubtreeError, match="append at size 11"):
        tree.append_leaves(11, leaves(2, seed=1))
    assert tree.append_leaves(10, []) == 10


def test_reads_beyond_the_stored_tree_are_refused() -> None:
    tree = t.MerkleTree(t.InMemorySubtreeStore())
    tree.append_leaves(0, leaves(10))
    with pytest.raises(t.MissingSubtreeError, match=r"root\(11\)"):
        tree.root(11)
    with pytest.raises(t.MissingSubtreeError):
        tree.inclusion_proof(3, 12)
    with pytest.raises(t.MissingSubtreeError):
        tree.consistency_proof(4, 16)
    with pytest.raises(t.MissingSubtreeError):
        tree.leaf_hash(10)
    assert tree.leaf_hash(9) == leaves(10)[9]


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda tr: tr.append_leaves(-1, []), "size_before: got -1"),
        (lambda tr: tr.append_leaves(0, [b"short"]), r"leaf_hashes\[0\]"),
        (lambda tr: tr.append_leaves(True, []), "size_before"),
        (lambda tr: tr.append_leaves(2**64 - 1, leaves(1)), "exceeds 2\\^64-1"),
        (lambda tr: tr.root(2**64), "tree_size: got 18446744073709551616"),
        (lambda tr: tr.inclusion_proof(5, 5), "leaf_index: got 5, want < tree_size 5"),
        (lambda tr: tr.consistency_proof(6, 5), "old_size: got 6, want <= new_size 5"),
    ],
)
def test_bad_arguments_name_the_field_and_rule(call, pattern: str) -> None:
    tree = t.MerkleTree(t.InMemorySubtreeStore())
    with pytest.raises(t.MerkleInputError, match=pattern):
        call(tree)


def test_trivial_consistency_cases() -> None:
    data = leaves(5)
    root = t.mth(data)
    assert t.consistency_proof(0, data) == [] == t.consistency_proof(5, data)
    t.verify_consistency(0, 5, t.EMPTY_ROOT, root, [])
    t.verify_consistency(5, 5, root, root, [])
    with pytest.raises(t.RootMismatchError, match="the log forked"):
        t.verify_consistency(5, 5, root, t.mth(data[:4]), [])
    with pytest.raises(t.ProofSizeError, match="wrong proof size 1, want 0"):
        t.verify_consistency(5, 5, root, root, [root])


def test_proof_sizes_agree_with_generated_proofs() -> None:
    data = leaves(70)
    for n in range(1, 71):
        for m in range(n):
            assert t.inclusion_proof_size(m, n) == len(t.inclusion_proof(m, data[:n]))
        for m in range(n + 1):
            assert t.consistency_proof_size(m, n) == len(t.consistency_proof(m, data[:n]))
    assert t.inclusion_proof_size(0, 2**64 - 1) == 64
    assert t.consistency_proof_size(2**63 - 1, 2**64 - 1) > 0


def test_entry_leaf_hash_refuses_non_json() -> None:
    with pytest.raises(t.MerkleInputError, match="log entry"):
        t.entry_leaf_hash({"x": float("nan")})
    with pytest.raises(t.MerkleInputError, match="want a JSON object"):
        t.entry_leaf_hash(["not", "an", "object"])  # type: ignore[arg-type]


def test_inclusion_plan_names_the_ranges_of_the_rfc_recursion() -> None:
    from node_service.transparency.tree import _decompose, _inclusion_plan, _path_ranges

    for n in range(1, 300):
        for m in range(n):
            keys, slot, ephemeral = _inclusion_plan(m, n)
            plans = [_decompose(lo, hi) for lo, hi in _path_ranges(m, n)]
            if ephemeral:
                keys = [*keys[:slot], ephemeral, *keys[slot:]]  # type: ignore[list-item]
            assert [k if isinstance(k, list) else [k] for k in keys] == plans, (m, n)


def test_batched_inclusion_proofs_equal_single_ones() -> None:
    tree, hashes = t.MerkleTree(CountingStore()), leaves(77)
    tree.append_leaves(0, hashes)
    for n in (1, 2, 33, 64, 77):
        indices = [m for m in range(n) for _ in range(2)]  # repeated indices too
        assert tree.inclusion_proofs(indices, n) == [t.inclusion_proof(m, hashes[:n]) for m in indices]
    assert tree.inclusion_proofs([], 5) == []
    with pytest.raises(t.MerkleInputError, match="leaf_index: got 5, want < tree_size 5"):
        tree.inclusion_proofs([0, 5], 5)
