"""An independent RFC 9162 verifier, written here from the RFC text, accepts the proofs the log produces.

Nothing below imports node_service's hashing or verification code: the tree hash, the inclusion-proof check
(RFC 9162 §2.1.3.2) and the consistency-proof check (§2.1.4.2) are re-implemented with hashlib only, so a
mistake shared by the log and its own verifier cannot hide here. Only the proofs under test come from
node_service.transparency.MerkleTree.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from node_service.transparency import InMemorySubtreeStore, MerkleTree, entry_leaf_hash

# --- the independent verifier (RFC 9162 §2.1.1, §2.1.3.2, §2.1.4.2) -----------------------------------


def rfc_hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc_leaf(entry: bytes) -> bytes:
    return rfc_hash(b"\x00" + entry)


def rfc_mth(leaves: list[bytes]) -> bytes:
    """MTH over leaf hashes: an empty list hashes to HASH(); split at the largest power of two < n."""
    if not leaves:
        return rfc_hash(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return rfc_hash(b"\x01" + rfc_mth(leaves[:k]) + rfc_mth(leaves[k:]))


def rfc_verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: list[bytes], root: bytes
) -> bool:
    # 1. leaf_index must be less than tree_size.
    if leaf_index >= tree_size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.   3. r = hash.
    fn, sn, r = leaf_index, tree_size - 1, leaf
    # 4. for each p in inclusion_path ...
    for p in path:
        if sn == 0:  # 4a
            return False
        if fn % 2 == 1 or fn == sn:  # 4b
            r = rfc_hash(b"\x01" + p + r)
            if fn % 2 == 0:
                while not (fn % 2 == 1 or fn == 0):
                    fn, sn = fn // 2, sn // 2
        else:
            r = rfc_hash(b"\x01" + r + p)
        fn, sn = fn // 2, sn // 2  # 4c
    # 5. sn must be 0 and r must equal root_hash.
    return sn == 0 and r == root


def rfc_verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]
) -> bool:
    # (precondition of §2.1.4.2: 0 < first < second)
    if not 0 < first < second:
        return False
    # 1. an empty consistency_path fails.
    if not path:
        return False
    # 2. if first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. if LSB(fn) is set, right-shift fn and sn equally until it is not.
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    # 5. fr = sr = first value of the path.
    fr = sr = path[0]
    # 6. for each subsequent value c ...
    for c in path[1:]:
        if sn == 0:  # 6a
            return False
        if fn % 2 == 1 or fn == sn:  # 6b
            fr = rfc_hash(b"\x01" + c + fr)
            sr = rfc_hash(b"\x01" + c + sr)
            if fn % 2 == 0:
                while not (fn % 2 == 1 or fn == 0):
                    fn, sn = fn // 2, sn // 2
        else:
            sr = rfc_hash(b"\x01" + sr + c)
        fn, sn = fn // 2, sn // 2  # 6c
    # 7. fr == first_hash, sr == second_hash, sn == 0.
    return fr == first_hash and sr == second_hash and sn == 0


# --- fixtures -----------------------------------------------------------------------------------------

SMALL = 64
LARGE = 5000


def _tree(leaves: list[bytes]) -> MerkleTree:
    tree = MerkleTree(InMemorySubtreeStore())
    size, rng = 0, random.Random(7)
    while size < len(leaves):  # uneven batches exercise the append path
        step = rng.randint(1, 97)
        size = tree.append_leaves(size, leaves[size : size + step])
    return tree


@pytest.fixture(scope="module")
def small() -> tuple[list[bytes], MerkleTree, list[bytes]]:
    leaves = [rfc_leaf(f"entry {i}".encode()) for i in range(SMALL)]
    return leaves, _tree(leaves), [rfc_mth(leaves[:n]) for n in range(SMALL + 1)]


@pytest.fixture(scope="module")
def large() -> tuple[list[bytes], MerkleTree]:
    leaves = [rfc_leaf(random.Random(i).randbytes(24)) for i in range(LARGE)]
    return leaves, _tree(leaves)


def _flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 0x01]) + h[1:]


# --- tests --------------------------------------------------------------------------------------------


def test_roots_match_the_independent_tree_hash(small) -> None:
    _leaves, tree, roots = small
    for n in range(SMALL + 1):
        assert tree.root(n) == roots[n], n


def test_every_inclusion_proof_up_to_64_is_accepted(small) -> None:
    leaves, tree, roots = small
    for n in range(1, SMALL + 1):
        for m in range(n):
            proof = tree.inclusion_proof(m, n)
            assert rfc_verify_inclusion(m, n, leaves[m], proof, roots[n]), (m, n)


def test_every_consistency_proof_up_to_64_is_accepted(small) -> None:
    _leaves, tree, roots = small
    for n in range(2, SMALL + 1):
        for m in range(1, n):
            proof = tree.consistency_proof(m, n)
            assert rfc_verify_consistency(m, n, roots[m], roots[n], proof), (m, n)


def test_random_large_proofs_are_accepted(large) -> None:
    leaves, tree = large
    rng = random.Random(2026)
    roots: dict[int, bytes] = {}
    for _ in range(150):
        n = rng.randint(2, LARGE)
        m = rng.randint(1, n - 1)
        for size in (m, n):
            roots.setdefault(size, rfc_mth(leaves[:size]))
        i = rng.randrange(n)
        assert rfc_verify_inclusion(i, n, leaves[i], tree.inclusion_proof(i, n), roots[n]), (i, n)
        assert rfc_verify_consistency(m, n, roots[m], roots[n], tree.consistency_proof(m, n)), (m, n)


def test_tampered_entry_proof_or_root_is_refused(small) -> None:
    leaves, tree, roots = small
    for n in (1, 2, 5, 8, 13, 33, 64):
        for m in range(n):
            proof = tree.inclusion_proof(m, n)
            assert not rfc_verify_inclusion(m, n, _flip(leaves[m]), proof, roots[n])
            assert not rfc_verify_inclusion(m, n, leaves[m], proof, _flip(roots[n]))
            if n > 1:
                assert not rfc_verify_inclusion((m + 1) % n, n, leaves[m], proof, roots[n])
            for j in range(len(proof)):
                bad = [*proof[:j], _flip(proof[j]), *proof[j + 1 :]]
                assert not rfc_verify_inclusion(m, n, leaves[m], bad, roots[n]), (m, n, j)
        for m in range(1, n):
            proof = tree.consistency_proof(m, n)
            assert not rfc_verify_consistency(m, n, _flip(roots[m]), roots[n], proof)
            assert not rfc_verify_consistency(m, n, roots[m], _flip(roots[n]), proof)
            for j in range(len(proof)):
                bad = [*proof[:j], _flip(proof[j]), *proof[j + 1 :]]
                assert not rfc_verify_consistency(m, n, roots[m], roots[n], bad), (m, n, j)


def test_a_rewritten_history_has_no_consistency_proof(small) -> None:
    leaves, _, roots = small
    forged = list(leaves)
    forged[3] = rfc_leaf(b"rewritten")
    forged_tree = _tree(forged)
    for m in range(4, 20):
        n = m + 7
        proof = forged_tree.consistency_proof(m, n)
        assert not rfc_verify_consistency(m, n, roots[m], rfc_mth(forged[:n]), proof)


def test_entry_leaf_hash_is_sha256_of_0x00_and_rfc8785_json() -> None:
    entry = {
        "type": "evidence",
        "nonce": "00" * 16,
        "id": "e1",
        "sha256": "ab" * 32,
        "time": "2026-01-01T00:00:00Z",
    }
    canonical = (
        '{"id":"e1","nonce":"00000000000000000000000000000000","sha256":"'
        + "ab" * 32
        + '","time":"2026-01-01T00:00:00Z","type":"evidence"}'
    )
    assert entry_leaf_hash(entry) == rfc_leaf(canonical.encode())
    assert entry_leaf_hash({"z": "碳链", "a": 1.0}) == rfc_leaf('{"a":1,"z":"碳链"}'.encode())
