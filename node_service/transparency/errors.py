"""The one exception root of :mod:`node_service.transparency` and its kinds of failure.

Every message has the form "what failed: detail — what to do".
"""

from __future__ import annotations

__all__ = [
    "MerkleError",
    "MerkleInputError",
    "MissingSubtreeError",
    "ProofSizeError",
    "RootMismatchError",
]


class MerkleError(Exception):
    """Root of every error raised by the transparency-log Merkle code."""


class MerkleInputError(MerkleError, ValueError):
    """A size, index or hash given to a Merkle function breaks a precondition (checked before hashing)."""


class ProofSizeError(MerkleError):
    """A proof has the wrong number of hashes for the sizes it claims (got/want)."""


class RootMismatchError(MerkleError):
    """A well-formed proof does not lead to the expected root: the entry, proof or root was altered."""


class MissingSubtreeError(MerkleError):
    """The subtree store lacks a needed hash: the store is incomplete or the size is beyond the tree."""
