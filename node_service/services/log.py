"""The node's RFC 9162 transparency log, persisted in the database.

Entries follow the fixed log-entry format of DESIGN.md. Leaf hashes and the hashes of complete subtrees are
stored, so roots and proofs cost O(log n) look-ups. Appends happen inside the caller's transaction: an object and
its log entry are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import rfc8785
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from node_service.db.models import LogEntry, LogState, LogTreeNode
from node_service.errors import NotFound
from node_service.transparency.merkle import entry_leaf_hash
from node_service.transparency.tree import MerkleTree

__all__ = ["SqlSubtreeStore", "TransparencyLog", "canonical_sha256", "make_entry", "rfc3339_now"]

ENTRY_TYPES = frozenset(
    {"submission", "evidence", "footprint", "gec-claim", "key", "organisation", "installation"}
)


def rfc3339_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_sha256(document: Any) -> str:
    """Hex SHA-256 of the RFC 8785 canonical JSON of ``document``."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def make_entry(
    type_: str, id_: str, sha256: str, organisation: str, *, cid: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A log entry in the DESIGN.md format, with the time and a fresh random nonce."""
    if type_ not in ENTRY_TYPES:
        raise ValueError(f"unknown log entry type {type_!r}")
    entry: dict[str, Any] = {
        "type": type_,
        "id": id_,
        "sha256": sha256,
        "organisation": organisation,
        "time": rfc3339_now(),
        "nonce": secrets.token_hex(16),
    }
    if cid is not None:
        entry["cid"] = cid
    entry.update(extra)
    return entry


class SqlSubtreeStore:
    """The Merkle tree's subtree-hash store as rows of ``log_tree_nodes`` in the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_many(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        found: dict[tuple[int, int], bytes] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.session.execute(
                select(LogTreeNode.level, LogTreeNode.idx, LogTreeNode.hash).where(
                    tuple_(LogTreeNode.level, LogTreeNode.idx).in_(chunk)
                )
            )
            for level, idx, digest in rows:
                found[(int(level), int(idx))] = bytes(digest)
        return found

    def put_many(self, items: Mapping[tuple[int, int], bytes]) -> None:
        self.session.add_all(LogTreeNode(level=lv, idx=ix, hash=h) for (lv, ix), h in items.items())
        self.session.flush()


class TransparencyLog:
    """Append entries and answer roots and proofs from the database."""

    def __init__(self) -> None:
        # SQLite has one writer at a time; serialising appenders in-process avoids lock-upgrade deadlocks.
        # On PostgreSQL the row lock on log_state serialises appenders across processes.
        self._lock = threading.Lock()

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def size(self, session: Session) -> int:
        state = session.get(LogState, 1)
        return int(state.tree_size) if state else 0

    def append(self, session: Session, entries: Sequence[dict[str, Any]]) -> list[LogEntry]:
        """Append ``entries`` in order; the caller commits (hold ``lock`` around the transaction on SQLite)."""
        state = session.execute(select(LogState).where(LogState.id == 1).with_for_update()).scalar_one()
        size_before = int(state.tree_size)
        leaf_hashes = [entry_leaf_hash(e) for e in entries]
        now = datetime.now(UTC)
        rows = [
            LogEntry(
                leaf_index=size_before + i,
                entry_id=e["id"],
                type=e["type"],
                organisation_did=e["organisation"],
                entry=e,
                leaf_hash=h,
                created_at=now,
            )
            for i, (e, h) in enumerate(zip(entries, leaf_hashes, strict=True))
        ]
        session.add_all(rows)
        tree = MerkleTree(SqlSubtreeStore(session))
        state.tree_size = tree.append_leaves(size_before, leaf_hashes)
        session.flush()
        return rows

    def entry(self, session: Session, entry_id: str) -> LogEntry:
        row = session.execute(select(LogEntry).where(LogEntry.entry_id == entry_id)).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no log entry with id {entry_id!r}", fix="check the id (it is the object's id)")
        return row

    def root(self, session: Session, tree_size: int) -> bytes:
        return MerkleTree(SqlSubtreeStore(session)).root(tree_size)

    def inclusion_proof(self, session: Session, leaf_index: int, tree_size: int) -> list[bytes]:
        return MerkleTree(SqlSubtreeStore(session)).inclusion_proof(leaf_index, tree_size)

    def consistency_proof(self, session: Session, old_size: int, new_size: int) -> list[bytes]:
        return MerkleTree(SqlSubtreeStore(session)).consistency_proof(old_size, new_size)
