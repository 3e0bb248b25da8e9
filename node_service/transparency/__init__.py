"""The transparency log's RFC 9162 Merkle tree: hashing, proofs, verification and a persistent tree."""

from node_service.transparency.errors import (
    MerkleError,
    MerkleInputError,
    MissingSubtreeError,
    ProofSizeError,
    RootMismatchError,
)
from node_service.transparency.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    consistency_proof,
    consistency_proof_size,
    entry_leaf_hash,
    hash_children,
    hash_leaf,
    inclusion_proof,
    inclusion_proof_size,
    mth,
    root_from_consistency_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from node_service.transparency.tree import InMemorySubtreeStore, MerkleTree, NodeKey, SubtreeStore

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "InMemorySubtreeStore",
    "MerkleError",
    "MerkleInputError",
    "MerkleTree",
    "MissingSubtreeError",
    "NodeKey",
    "ProofSizeError",
    "RootMismatchError",
    "SubtreeStore",
    "consistency_proof",
    "consistency_proof_size",
    "entry_leaf_hash",
    "hash_children",
    "hash_leaf",
    "inclusion_proof",
    "inclusion_proof_size",
    "mth",
    "root_from_consistency_proof",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]
