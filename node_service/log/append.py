"""The node's RFC 9162 transparency log, persisted in the database.

Entries follow the fixed log-entry format of DESIGN.md. Leaf hashes and the hashes of complete subtrees are
stored, so roots and proofs cost O(log n) look-ups. Appends happen inside the caller's transaction: an object and
its log entry are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from node_service.credentials.jcs import canonicalize
from node_service.db import statements as dbapi
from node_service.db.models import LogEntry, LogState
from node_service.db.writer import WriterLock
from node_service.errors import NotFound
from node_service.log.tree_store import (
    insert_rows,
    mark_appending,
    tree_store,
)
from node_service.transparency.merkle import entry_leaf_hash
from node_service.transparency.tree import MerkleTree

__all__ = [
    "TransparencyLog",
    "canonical_sha256",
    "make_entry",
    "rfc3339_now",
]

ENTRY_TYPES = frozenset(
    {"submission", "evidence", "footprint", "gec-claim", "key", "organisation", "installation"}
)


def rfc3339_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_sha256(document: Any) -> str:
    """Hex SHA-256 of the RFC 8785 canonical JSON of ``document`` (the credentials package's fast JCS path:
    the same bytes as ``rfc8785``, which costs ~15 ms for a stored footprint)."""
    return hashlib.sha256(canonicalize(document)).hexdigest()


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


_SELECT_SIZE = "SELECT tree_size FROM log_state WHERE id = 1"


def _tree_size_for_update(session: Session) -> int:
    rows = dbapi.query(session, _SELECT_SIZE if dbapi.is_sqlite(session) else _SELECT_SIZE + " FOR UPDATE")
    if not rows:
        raise NoResultFound("log_state has no row 1: the database was not migrated (alembic upgrade heads)")
    return int(rows[0][0])


def _set_tree_size(session: Session, size: int) -> None:
    """UPDATE log_state, and the session's LogState object when it holds one (so ORM reads agree)."""
    dbapi.execute(session, "UPDATE log_state SET tree_size = ? WHERE id = 1", (size,))
    state = session.identity_map.get(identity_key(LogState, 1))
    if state is not None:
        set_committed_value(state, "tree_size", size)


class TransparencyLog:
    """Append entries and answer roots and proofs from the database."""

    def __init__(self, lock_file: Path | None = None) -> None:
        # appenders hold this lock around their transaction: a mutex in-process, and on SQLite the
        # transaction then begins with BEGIN IMMEDIATE so that other processes' appenders wait their turn
        # (node_service.db.writer). On PostgreSQL the row lock on log_state serialises processes.
        self._lock = WriterLock(lock_file)

    @property
    def lock(self) -> WriterLock:
        return self._lock

    def size(self, session: Session) -> int:
        state = session.get(LogState, 1)
        return int(state.tree_size) if state else 0

    def append(self, session: Session, entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append ``entries`` in order; the caller commits (hold ``lock`` around the transaction on SQLite).

        Returns the rows written (``leaf_index``, ``entry_id``, ``entry``, ``leaf_hash`` …) as dicts.
        """
        session.flush()  # pending ORM rows of the caller first, as a query's autoflush did
        # plain statements for log_state too (the ORM select + flush cost ~0.5 ms per append); the row lock
        # serialises appenders on PostgreSQL, the caller's lock on SQLite
        size_before = _tree_size_for_update(session)
        mark_appending(session)  # this transaction's tree reads may now include its own uncommitted nodes
        leaf_hashes = [entry_leaf_hash(e) for e in entries]
        now = datetime.now(UTC)
        # stored exactly as SQLAlchemy's JSON and DateTime types store them, so ORM reads see the same values
        created = dbapi.db_datetime(session, now)
        rows = [
            (size_before + i, e["id"], e["type"], e["organisation"], json.dumps(e), h, created)
            for i, (e, h) in enumerate(zip(entries, leaf_hashes, strict=True))
        ]
        # plain DB-API executemany: at 10^4 rows the ORM (and even Core's parameter processing) costs more
        # than hashing, the tree and the database together
        if rows:
            insert_rows(
                session,
                "log_entries",
                ("leaf_index", "entry_id", "type", "organisation_did", "entry", "leaf_hash", "created_at"),
                rows,
            )
        tree = MerkleTree(tree_store(session))
        new_size = tree.append_leaves(size_before, leaf_hashes)
        _set_tree_size(session, new_size)
        return [
            {"leaf_index": r[0], "entry_id": r[1], "entry": e, "leaf_hash": r[5]}
            for r, e in zip(rows, entries, strict=True)
        ]

    def entry(self, session: Session, entry_id: str) -> LogEntry:
        row = session.execute(select(LogEntry).where(LogEntry.entry_id == entry_id)).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no log entry with id {entry_id!r}", fix="check the id (it is the object's id)")
        return row

    def root(self, session: Session, tree_size: int) -> bytes:
        return MerkleTree(tree_store(session)).root(tree_size)

    def inclusion_proof(self, session: Session, leaf_index: int, tree_size: int) -> list[bytes]:
        return MerkleTree(tree_store(session)).inclusion_proof(leaf_index, tree_size)

    def inclusion_proofs(
        self, session: Session, leaf_indices: Sequence[int], tree_size: int
    ) -> list[list[bytes]]:
        """Inclusion proofs of many leaves in the tree of ``tree_size``, with one query for all of them (for
        verification packages, audits and other places that need many proofs at once)."""
        return MerkleTree(tree_store(session)).inclusion_proofs(leaf_indices, tree_size)

    def consistency_proof(self, session: Session, old_size: int, new_size: int) -> list[bytes]:
        return MerkleTree(tree_store(session)).consistency_proof(old_size, new_size)
