"""Published RFC 9162 vectors (tests/node_service/transparency/vectors/rfc9162.json) against node_service.transparency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from node_service import transparency as t

VECTORS = json.loads((Path(__file__).parent / "vectors" / "rfc9162.json").read_text(encoding="utf-8"))
LEAF_HASHES = [t.hash_leaf(bytes.fromhex(d)) for d in VECTORS["leaves"]]


def _b(hexes: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in hexes]


@pytest.mark.parametrize("case", VECTORS["roots"], ids=lambda c: f"size-{c['treeSize']}")
def test_published_roots_match_reference_and_tree(case: dict[str, Any]) -> None:
    n = case["treeSize"]
    assert t.mth(LEAF_HASHES[:n]).hex() == case["root"]
    tree = t.MerkleTree(t.InMemorySubtreeStore())
    tree.append_leaves(0, LEAF_HASHES)
    assert tree.root(n).hex() == case["root"]


@pytest.mark.parametrize("case", VECTORS["inclusion"], ids=lambda c: c["description"])
def test_inclusion_vectors(case: dict[str, Any]) -> None:
    args = (case["leafIndex"], case["treeSize"], bytes.fromhex(case["leafHash"]), _b(case["proof"]))
    root = bytes.fromhex(case["root"])
    if case["wantErr"] is None:
        t.verify_inclusion(*args, root)
        return
    with pytest.raises(getattr(t, case["wantErr"])):
        t.verify_inclusion(*args, root)


@pytest.mark.parametrize("case", VECTORS["consistency"], ids=lambda c: c["description"])
def test_consistency_vectors(case: dict[str, Any]) -> None:
    args = (case["size1"], case["size2"], bytes.fromhex(case["root1"]), bytes.fromhex(case["root2"]))
    if case["wantErr"] is None:
        t.verify_consistency(*args, _b(case["proof"]))
        return
    with pytest.raises(getattr(t, case["wantErr"])):
        t.verify_consistency(*args, _b(case["proof"]))


def test_happy_path_proofs_are_the_ones_we_generate() -> None:
    tree = t.MerkleTree(t.InMemorySubtreeStore())
    tree.append_leaves(0, LEAF_HASHES)
    for case in VECTORS["inclusion"]:
        if case["wantErr"] is None:
            got = tree.inclusion_proof(case["leafIndex"], case["treeSize"])
            assert [p.hex() for p in got] == case["proof"], case["description"]
            assert LEAF_HASHES[case["leafIndex"]].hex() == case["leafHash"]
    for case in VECTORS["consistency"]:
        if case["wantErr"] is None:
            got = tree.consistency_proof(case["size1"], case["size2"])
            assert [p.hex() for p in got] == case["proof"], case["description"]


def test_every_vector_error_kind_is_a_merkle_error() -> None:
    kinds = {c["wantErr"] for c in VECTORS["inclusion"] + VECTORS["consistency"]} - {None}
    assert kinds == {"RootMismatchError", "ProofSizeError", "MerkleInputError"}
    for kind in kinds:
        assert issubclass(getattr(t, kind), t.MerkleError)


def test_error_messages_report_got_and_want() -> None:
    case = next(c for c in VECTORS["inclusion"] if c["wantErr"] is None and c["treeSize"] == 8)
    proof = _b(case["proof"])
    with pytest.raises(t.ProofSizeError, match=r"wrong proof size 2, want 3"):
        t.verify_inclusion(case["leafIndex"], 8, bytes.fromhex(case["leafHash"]), proof[:2], bytes(32))
    with pytest.raises(t.MerkleInputError, match=r"leaf_hash: wrong hash size 31, want 32"):
        t.root_from_inclusion_proof(0, 8, bytes(31), proof)
