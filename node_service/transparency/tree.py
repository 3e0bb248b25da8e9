"""An RFC 9162 Merkle tree for millions of leaves, over a store of perfect-subtree hashes.

The store keeps the hash of every *complete perfect subtree*, keyed ``(level, index)``: the node at
``(level, index)`` covers leaves ``[index * 2^level, (index + 1) * 2^level)``; level 0 holds the leaf hashes.
Such a hash never changes once the subtree is complete, so any tree size up to the current one can be
served from the same store, and every RFC 9162 range hash MTH(D[a:b]) needed by a root or a proof is a
fold over at most log2(n) stored hashes.

The tree keeps no state of its own: the caller passes the tree size in (``size_before`` to append,
``tree_size`` to read), so a store backed by a SQL table
``log_tree_nodes(level int, idx bigint, hash bytes, primary key (level, idx))`` can live inside the
caller's database transaction and never diverge from a cached copy. Each operation makes exactly one
``get_many`` call (and appends one ``put_many``), touching O(log n) keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from node_service.transparency.errors import MerkleInputError, MissingSubtreeError
from node_service.transparency.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    MAX_TREE_SIZE,
    consistency_proof_size,
    hash_children,
    inclusion_proof_size,
)

__all__ = ["InMemorySubtreeStore", "MerkleTree", "NodeKey", "SubtreeStore"]

NodeKey = tuple[int, int]
"""(level, index) of a perfect subtree: leaves [index << level, (index + 1) << level)."""

MAX_APPEND_BATCH = 10_000_000
"""Largest number of leaves accepted by one ``append_leaves`` call (bounds the memory of one batch)."""

MAX_PROOF_BATCH = 100_000
"""Largest number of proofs made by one ``inclusion_proofs`` call (bounds the keys of one look-up)."""


@runtime_checkable
class SubtreeStore(Protocol):
    """Where the hashes of complete perfect subtrees live. Hashes are 32-byte SHA-256 digests."""

    def get_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        """The stored hashes among ``keys``; absent keys are simply missing from the result."""
        ...

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None:
        """Store every item (keys are new; an existing key is only ever re-put with the same hash)."""
        ...


class InMemorySubtreeStore:
    """A :class:`SubtreeStore` in a dict, for tests, benchmarks and tools that rebuild a tree in memory."""

    def __init__(self) -> None:
        self._nodes: dict[NodeKey, bytes] = {}

    def get_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        get = self._nodes.get
        return {k: h for k in keys if (h := get(k)) is not None}

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None:
        self._nodes.update(items)

    def __len__(self) -> int:
        return len(self._nodes)


def _decompose(lo: int, hi: int) -> list[NodeKey]:
    """The perfect subtrees, left to right, whose concatenation is leaves [lo, hi).

    Every range met in RFC 9162's recursion starts at a multiple of the largest power of two not above its
    length, so these come in decreasing sizes and MTH(D[lo:hi]) is their right-to-left fold.
    """
    width = hi - lo
    if width & (width - 1) == 0 and lo & (width - 1) == 0:  # one aligned perfect subtree (the usual case)
        level = width.bit_length() - 1
        return [(level, lo >> level)]
    keys = []
    while lo < hi:
        size = 1 << ((hi - lo).bit_length() - 1)
        while lo & (size - 1):
            size >>= 1
        level = size.bit_length() - 1
        keys.append((level, lo >> level))
        lo += size
    return keys


def _fold(keys: Sequence[NodeKey], nodes: Mapping[NodeKey, bytes]) -> bytes:
    h = nodes[keys[-1]]
    for key in reversed(keys[:-1]):
        h = hash_children(nodes[key], h)
    return h


def _path_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH make up PATH(m, D[n]) (RFC 9162 §2.1.3.1), in proof order."""
    lo, hi, out = 0, n, []
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if m - lo < k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def _inclusion_plan(m: int, n: int) -> tuple[list[NodeKey], int, list[NodeKey]]:
    """The stored nodes that make up PATH(m, D[n]) (RFC 9162 §2.1.3.1), 0 <= m < n, found by bit arithmetic.

    Returns ``(keys, slot, ephemeral)``. Below the split of the leaf's path from the last leaf's path
    (``inner`` levels) the proof holds the sibling ``(level, (m >> level) ^ 1)`` of every level; the last of
    them may run past leaf n - 1: it is then not stored, ``keys`` leaves it out, ``slot`` (``inner - 1``) is
    its place in the proof and ``ephemeral`` lists the stored subtrees whose fold is its hash,
    MTH(D[start:n]). Above the split the path follows the tree's right border: a left sibling
    ``(level, (m >> level) - 1)`` wherever m has a 1 bit. These are the ranges of the recursion in §2.1.3.1
    (``_path_ranges``, kept as the readable form and compared in the tests), without building them.
    """
    inner = (m ^ (n - 1)).bit_length()
    keys: list[NodeKey] = []
    ephemeral: list[NodeKey] = []
    for level in range(inner):
        sibling = (m >> level) ^ 1
        if (sibling + 1) << level <= n:
            keys.append((level, sibling))
        else:  # only at level inner - 1, the only sibling whose range can reach past n - 1
            ephemeral = _decompose(sibling << level, n)
    border, level = m >> inner, inner
    while border:
        if border & 1:
            keys.append((level, border - 1))
        border >>= 1
        level += 1
    return keys, inner - 1, ephemeral


def _inclusion_from(
    plan: tuple[list[NodeKey], int, list[NodeKey]], nodes: Mapping[NodeKey, bytes]
) -> list[bytes]:
    keys, slot, ephemeral = plan
    proof = [nodes[k] for k in keys]
    if ephemeral:
        proof.insert(slot, _fold(ephemeral, nodes))
    return proof


def _subproof_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH make up PROOF(m, D[n]) = SUBPROOF(m, D[n], true), 0 < m < n (§2.1.4.1)."""
    lo, hi, complete, out = 0, n, True, []
    while True:
        if m == hi - lo:
            if not complete:
                out.append((lo, hi))
            break
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            m -= k
            lo += k
            complete = False
    out.reverse()
    return out


class MerkleTree:
    """RFC 9162 tree operations over a :class:`SubtreeStore`; sizes are passed in, never cached."""

    def __init__(self, store: SubtreeStore) -> None:
        self.store = store

    # --- writing ---------------------------------------------------------------------------------------

    def append_leaves(self, size_before: int, leaf_hashes: Sequence[bytes]) -> int:
        """Append leaf hashes to the tree of ``size_before`` leaves; store every newly complete subtree.

        Returns the new size. Reads only the old tree's right-edge subtrees that gain a new sibling (one
        ``get_many``) and writes the new nodes (one ``put_many``). Refuses to append at a stale size: the
        leaf slot ``size_before`` must be empty and the right-edge subtrees of ``size_before`` present.
        """
        _check_size("size_before", size_before)
        count = len(leaf_hashes)
        if count > MAX_APPEND_BATCH:
            raise MerkleInputError(
                f"leaf_hashes: got {count} leaves, want <= {MAX_APPEND_BATCH} — append in batches"
            )
        new_size = size_before + count
        if new_size > MAX_TREE_SIZE:
            raise MerkleInputError(f"leaf_hashes: new size {new_size} exceeds 2^64-1 — the log is full")
        for i, h in enumerate(leaf_hashes):
            if not isinstance(h, bytes) or len(h) != HASH_SIZE:
                raise MerkleInputError(
                    f"leaf_hashes[{i}]: got {h!r:.40}, want {HASH_SIZE} bytes — pass hash_leaf(entry) digests"
                )
        if count == 0:
            return size_before
        s, n = size_before, new_size
        # Right-edge subtree (l, (s >> l) - 1) of the old tree is the left sibling of a new node at l + 1.
        edge = [
            (level, (s >> level) - 1)
            for level in range(n.bit_length())
            if (s >> level) & 1 and (s >> (level + 1)) < (n >> (level + 1))
        ]
        found = self.store.get_many([(0, s), *edge])
        if (0, s) in found:
            raise MerkleInputError(
                f"size_before: leaf {s} is already stored — size_before is stale; re-read the tree size"
            )
        missing = [k for k in edge if k not in found]
        if missing:
            raise MissingSubtreeError(
                f"append at size {s}: subtree hashes {missing} are not in the store — size_before is larger "
                "than the stored tree, or the store lost nodes; rebuild it from the log entries"
            )
        new: dict[NodeKey, bytes] = {(0, s + i): bytes(h) for i, h in enumerate(leaf_hashes)}
        level, base, row = 0, s, [bytes(h) for h in leaf_hashes]
        while True:
            lo, hi = s >> (level + 1), n >> (level + 1)
            if lo >= hi:
                break
            if base > 2 * lo:  # the first new parent's left child is an old right-edge subtree
                row.insert(0, found[(level, base - 1)])
                base -= 1
            row = [hash_children(row[2 * j], row[2 * j + 1]) for j in range(hi - lo)]
            level += 1
            base = lo
            new.update(((level, lo + j), h) for j, h in enumerate(row))
        self.store.put_many(new)
        return new_size

    # --- reading ---------------------------------------------------------------------------------------

    def _load(self, keys: list[NodeKey], what: str) -> dict[NodeKey, bytes]:
        nodes = self.store.get_many(keys)
        if len(nodes) != len(keys):  # keys are distinct by construction
            missing = sorted(set(keys) - nodes.keys())
            raise MissingSubtreeError(
                f"{what}: subtree hashes {missing[:5]} are not in the store — the size is beyond the stored "
                "tree, or the store lost nodes; use a size that was appended"
            )
        return nodes

    def root(self, tree_size: int) -> bytes:
        """MTH of the first ``tree_size`` leaves (the empty-tree hash for 0)."""
        _check_size("tree_size", tree_size)
        if tree_size == 0:
            return EMPTY_ROOT
        keys = _decompose(0, tree_size)
        return _fold(keys, self._load(keys, f"root({tree_size})"))

    def leaf_hash(self, leaf_index: int) -> bytes:
        """The stored leaf hash at ``leaf_index``."""
        _check_size("leaf_index", leaf_index)
        return self._load([(0, leaf_index)], f"leaf {leaf_index}")[(0, leaf_index)]

    def inclusion_proof(self, leaf_index: int, tree_size: int) -> list[bytes]:
        """PATH(leaf_index, D[tree_size]) (RFC 9162 §2.1.3.1) from O(log n) stored hashes."""
        inclusion_proof_size(leaf_index, tree_size)  # checks 0 <= leaf_index < tree_size <= 2^64-1
        plan = _inclusion_plan(leaf_index, tree_size)
        keys, _, ephemeral = plan
        nodes = self._load(keys + ephemeral, f"inclusion_proof({leaf_index}, {tree_size})")
        return _inclusion_from(plan, nodes)

    def inclusion_proofs(self, leaf_indices: Sequence[int], tree_size: int) -> list[list[bytes]]:
        """PATH(m, D[tree_size]) for every m in ``leaf_indices``, in order, with one ``get_many`` for all.

        Proofs against the same tree share their upper nodes, so a batch reads fewer keys than the proofs
        one by one. At most ``MAX_PROOF_BATCH`` indices per call.
        """
        if len(leaf_indices) > MAX_PROOF_BATCH:
            raise MerkleInputError(
                f"leaf_indices: got {len(leaf_indices)}, want <= {MAX_PROOF_BATCH} — ask in batches"
            )
        plans = []
        for m in leaf_indices:
            inclusion_proof_size(m, tree_size)  # checks 0 <= m < tree_size <= 2^64-1
            plans.append(_inclusion_plan(m, tree_size))
        keys = list(dict.fromkeys(k for plan in plans for part in (plan[0], plan[2]) for k in part))
        nodes = self._load(keys, f"inclusion_proofs({len(leaf_indices)} leaves, {tree_size})")
        return [_inclusion_from(plan, nodes) for plan in plans]

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1); empty when old_size is 0 or new_size."""
        consistency_proof_size(old_size, new_size)  # checks 0 <= old_size <= new_size <= 2^64-1
        if old_size in (0, new_size):
            return []
        return self._ranges_mth(
            _subproof_ranges(old_size, new_size), f"consistency_proof({old_size}, {new_size})"
        )

    def _ranges_mth(self, ranges: list[tuple[int, int]], what: str) -> list[bytes]:
        plans = [_decompose(lo, hi) for lo, hi in ranges]
        nodes = self._load([k for plan in plans for k in plan], what)
        return [nodes[plan[0]] if len(plan) == 1 else _fold(plan, nodes) for plan in plans]


def _check_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TREE_SIZE:
        raise MerkleInputError(
            f"{name}: got {value!r}, want an int in 0..2^64-1 — sizes and indices are uint64"
        )
