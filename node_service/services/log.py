"""The node's RFC 9162 transparency log, persisted in the database.

Entries follow the fixed log-entry format of DESIGN.md. Leaf hashes and the hashes of complete subtrees are
stored, so roots and proofs cost O(log n) look-ups. Appends happen inside the caller's transaction: an object and
its log entry are stored together or not at all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import rfc8785
from sqlalchemy import Engine, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from node_service.credentials.jcs_fast import canonicalize
from node_service.db.models import LogEntry, LogState
from node_service.db.writer import WriterLock
from node_service.errors import NotFound
from node_service.transparency.cache import SubtreeCache
from node_service.transparency.merkle import hash_leaf
from node_service.transparency.tree import MerkleTree

__all__ = [
    "SqlSubtreeStore",
    "TransparencyLog",
    "canonical_sha256",
    "make_entry",
    "rfc3339_now",
    "subtree_cache",
]

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


# Hashes of committed subtrees, per database (an Engine), shared by every session of the process: see
# node_service.transparency.cache. Rows of log_tree_nodes are never updated or deleted, so a committed hash
# stays right for as long as the database exists.
_CACHES: WeakKeyDictionary[Engine, SubtreeCache] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
# session.info key: the transaction that appended to the tree (its reads may see its own, uncommitted nodes)
_APPENDED_IN = "tanlian.log.appended_in"
# bound parameters per statement (SQLite allows 32,766, PostgreSQL 65,535)
_MAX_PARAMS = 10_000


def subtree_cache(engine: Engine) -> SubtreeCache | None:
    """The process-wide cache of committed subtree hashes for ``engine``'s database; None where sessions
    share one connection (in-memory SQLite), since a reader there could see another session's uncommitted
    rows."""
    if isinstance(engine.pool, StaticPool | SingletonThreadPool):
        return None
    cache = _CACHES.get(engine)
    if cache is None:
        with _CACHES_LOCK:
            cache = _CACHES.setdefault(engine, SubtreeCache())
    return cache


def _mark_appending(session: Session) -> None:
    session.info[_APPENDED_IN] = session.get_transaction()


def _reads_committed_only(session: Session) -> bool:
    """Whether the session's current transaction has not appended: all the tree nodes it reads are then
    committed (the only uncommitted tree rows a session can see are its own)."""
    return session.info.get(_APPENDED_IN) is not session.get_transaction()


@functools.lru_cache(maxsize=256)
def _select_nodes_sql(shape: tuple[int, ...], qmark: bool) -> str:
    """``SELECT … WHERE (level = ? AND idx IN (?, …)) OR …`` with ``shape[i]`` indices in clause i: one
    clause per level so SQLite uses the primary key (a row-value ``IN`` makes it scan the table)."""
    clauses = " OR ".join(f"(level = ? AND idx IN ({','.join('?' * count)}))" for count in shape)
    sql = "SELECT level, idx, hash FROM log_tree_nodes WHERE " + clauses  # noqa: S608 - placeholders only
    return sql if qmark else sql.replace("?", "%s")


_SELECT_NODES_UNNEST = (
    "SELECT n.level, n.idx, n.hash FROM unnest(%s::integer[], %s::bigint[]) AS k(level, idx) "
    "JOIN log_tree_nodes n ON n.level = k.level AND n.idx = k.idx"
)
"""PostgreSQL: the keys as two arrays joined on the primary key (at 1,000 proofs per batch about 3x faster
than the per-level ``OR`` form, whose plan grows with the number of keys)."""


class SqlSubtreeStore:
    """The Merkle tree's subtree-hash store as rows of ``log_tree_nodes`` in the caller's session.

    Reads go through the database's :func:`subtree_cache` first; hashes read from the database enter the
    cache only when the session's transaction has not appended (so they are committed). Writes never do.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        engine = session.get_bind().engine
        self._qmark = engine.dialect.paramstyle == "qmark"
        self._postgres = engine.dialect.name == "postgresql"
        self.cache = subtree_cache(engine)

    def get_many(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        if self.cache is None:
            found: dict[tuple[int, int], bytes] = {}
            missing = list(dict.fromkeys(keys))
        else:
            found, missing = self.cache.get_many(dict.fromkeys(keys))
        if missing:
            cursor = self._cursor()  # begins the transaction first, so the check below sees it
            try:
                read = self._select(cursor, missing)
            finally:
                cursor.close()
            if self.cache is not None and _reads_committed_only(self.session):
                self.cache.put_many(read)
            found.update(read)
        return found

    def _select(self, cursor: Any, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if self._postgres:  # two array parameters: one statement text (prepared by psycopg) for any keys
            cursor.execute(_SELECT_NODES_UNNEST, ([k[0] for k in keys], [k[1] for k in keys]))
            return {(level, idx): bytes(digest) for level, idx, digest in cursor.fetchall()}
        by_level: dict[int, list[int]] = {}
        for level, idx in keys:
            by_level.setdefault(level, []).append(idx)
        read: dict[tuple[int, int], bytes] = {}
        shape: list[int] = []
        params: list[int] = []
        for level, indices in by_level.items():
            for start in range(0, len(indices), 500):
                chunk = indices[start : start + 500]
                if len(params) + len(chunk) + 1 > _MAX_PARAMS:
                    self._fetch(cursor, shape, params, read)
                    shape, params = [], []
                shape.append(len(chunk))
                params.append(level)
                params.extend(chunk)
        self._fetch(cursor, shape, params, read)
        return read

    def _fetch(
        self, cursor: Any, shape: list[int], params: list[int], into: dict[tuple[int, int], bytes]
    ) -> None:
        if shape:
            cursor.execute(_select_nodes_sql(tuple(shape), self._qmark), params)
            for level, idx, digest in cursor.fetchall():
                into[(level, idx)] = bytes(digest)

    def _cursor(self) -> Any:
        return self.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def put_many(self, items: Mapping[tuple[int, int], bytes]) -> None:
        """Insert new nodes (never cached: the transaction may still roll back)."""
        if items:
            _insert_rows(
                self.session,
                "log_tree_nodes",
                ("level", "idx", "hash"),
                [(lv, ix, h) for (lv, ix), h in items.items()],
            )


COPY_MIN_ROWS = 100
"""Inserts of at least this many rows use ``COPY … FROM STDIN`` where the driver offers it (psycopg 3 on
PostgreSQL: about 3x faster than executemany for thousands of rows); smaller ones, like the usual append
of 2–10 entries, keep one executemany."""


def _insert_rows(session: Session, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` into ``table``; on psycopg 3 large batches stream through COPY (text format: every
    value is dumped by psycopg's own text dumpers, so JSON text, bytea and timestamptz read back through the
    ORM exactly as the executemany path stores them — tests/transparency/test_log_db.py compares both)."""
    if not rows:
        return
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        copy = getattr(cursor, "copy", None) if len(rows) >= COPY_MIN_ROWS else None
        if copy is not None:
            with copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
                write_row = stream.write_row
                for row in rows:
                    write_row(row)
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - fixed names
            if session.get_bind().dialect.paramstyle != "qmark":
                sql = sql.replace("?", "%s")
            cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _executemany(session: Session, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """DB-API executemany on the session's connection (qmark SQL, rewritten for format-style drivers)."""
    bind = session.get_bind()
    if bind.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


_SELECT_FOR_UPDATE = "SELECT tree_size FROM log_state WHERE id = 1 FOR UPDATE"


def _tree_size_for_update(session: Session, sqlite: bool) -> int:
    sql = "SELECT tree_size FROM log_state WHERE id = 1" if sqlite else _SELECT_FOR_UPDATE
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise NoResultFound("log_state has no row 1: the database was not migrated (alembic upgrade heads)")
    return int(row[0])


def _set_tree_size(session: Session, size: int) -> None:
    """UPDATE log_state, and the session's LogState object when it holds one (so ORM reads agree)."""
    _executemany(session, "UPDATE log_state SET tree_size = ? WHERE id = 1", [(size,)])
    state = session.identity_map.get(identity_key(LogState, 1))
    if state is not None:
        set_committed_value(state, "tree_size", size)


def _leaf_hash(entry: dict[str, Any]) -> bytes:
    """RFC 9162 leaf hash of an entry: SHA-256(0x00 || RFC 8785 entry), via the fast JCS path (identical
    output, tested against ``rfc8785`` in tests/credentials/test_jcs_fast.py)."""
    return hash_leaf(canonicalize(entry))


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
        sqlite = session.get_bind().dialect.name == "sqlite"
        # plain statements for log_state too (the ORM select + flush cost ~0.5 ms per append); the row lock
        # serialises appenders on PostgreSQL, the caller's lock on SQLite
        size_before = _tree_size_for_update(session, sqlite)
        _mark_appending(session)  # this transaction's tree reads may now include its own uncommitted nodes
        leaf_hashes = [_leaf_hash(e) for e in entries]
        now = datetime.now(UTC)
        # stored exactly as SQLAlchemy's JSON and DateTime types store them, so ORM reads see the same values
        created = now.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if sqlite else now
        rows = [
            (size_before + i, e["id"], e["type"], e["organisation"], json.dumps(e), h, created)
            for i, (e, h) in enumerate(zip(entries, leaf_hashes, strict=True))
        ]
        # plain DB-API executemany: at 10^4 rows the ORM (and even Core's parameter processing) costs more
        # than hashing, the tree and the database together
        if rows:
            _insert_rows(
                session,
                "log_entries",
                ("leaf_index", "entry_id", "type", "organisation_did", "entry", "leaf_hash", "created_at"),
                rows,
            )
        tree = MerkleTree(SqlSubtreeStore(session))
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
        return MerkleTree(SqlSubtreeStore(session)).root(tree_size)

    def inclusion_proof(self, session: Session, leaf_index: int, tree_size: int) -> list[bytes]:
        return MerkleTree(SqlSubtreeStore(session)).inclusion_proof(leaf_index, tree_size)

    def inclusion_proofs(
        self, session: Session, leaf_indices: Sequence[int], tree_size: int
    ) -> list[list[bytes]]:
        """Inclusion proofs of many leaves in the tree of ``tree_size``, with one query for all of them (for
        verification packages, audits and other places that need many proofs at once)."""
        return MerkleTree(SqlSubtreeStore(session)).inclusion_proofs(leaf_indices, tree_size)

    def consistency_proof(self, session: Session, old_size: int, new_size: int) -> list[bytes]:
        return MerkleTree(SqlSubtreeStore(session)).consistency_proof(old_size, new_size)
