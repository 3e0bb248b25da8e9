"""Where the transparency log's tree lives in the database: per-node rows, tiles, and the process's caches.

``log_tree_nodes`` holds the hash of every complete subtree (the record); ``log_tree_tiles`` holds each
complete tile (node_service.transparency.tiles) written in the same transaction as its top node, so that a
proof reads one row per tier instead of one per level. What a session reads of them enters a process-wide
cache of committed hashes (node_service.transparency.cache) unless the session has appended.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from node_service.db import statements as dbapi
from node_service.transparency.cache import SubtreeCache
from node_service.transparency.tiles import TILE_BYTES, TiledSubtreeStore, TileKey

__all__ = [
    "SqlSubtreeStore",
    "SqlTileStore",
    "configure_subtree_cache",
    "insert_rows",
    "mark_appending",
    "subtree_cache",
    "tree_store",
]

# Committed hashes, per database (an Engine), shared by every session of the process: see
# node_service.transparency.cache. Rows of log_tree_nodes and log_tree_tiles are never updated or deleted, so
# a committed hash stays right for as long as the database exists.
_CACHES: WeakKeyDictionary[Engine, SubtreeCache] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
# session.info key: the transaction that appended to the tree (its reads may see its own, uncommitted nodes)
_APPENDED_IN = "tanlian.log.appended_in"
# session.info key: the session's tree store (tree_store)
_STORE = "tanlian.log.store"
# bound parameters per statement (SQLite allows 32,766, PostgreSQL 65,535)
_MAX_PARAMS = 10_000


def _shares_one_connection(engine: Engine) -> bool:
    """Whether sessions share one connection (in-memory SQLite): a reader there could see another session's
    uncommitted rows, so nothing it reads may be cached."""
    return isinstance(engine.pool, StaticPool | SingletonThreadPool)


def subtree_cache(engine: Engine) -> SubtreeCache | None:
    """The process-wide cache of committed node hashes for ``engine``'s database; None where sessions share
    one connection (:func:`_shares_one_connection`)."""
    if _shares_one_connection(engine):
        return None
    cache = _CACHES.get(engine)
    if cache is None:
        with _CACHES_LOCK:
            cache = _CACHES.setdefault(engine, SubtreeCache())
    return cache


def configure_subtree_cache(engine: Engine, tile_cache_bytes: int) -> SubtreeCache | None:
    """Give ``engine``'s database a fresh process-wide cache whose bottom-tile tier holds ``tile_cache_bytes``
    of tiles (the node does this once at start, from ``TANLIAN_LOG_TILE_CACHE_MIB``)."""
    if _shares_one_connection(engine):
        return None
    with _CACHES_LOCK:
        cache = _CACHES[engine] = SubtreeCache(tile_capacity=tile_cache_bytes // TILE_BYTES)
    return cache


def mark_appending(session: Session) -> None:
    session.info[_APPENDED_IN] = session.get_transaction()


def _reads_committed_only(session: Session) -> bool:
    """Whether the session's current transaction has not appended: all the tree rows it reads are then
    committed (the only uncommitted tree rows a session can see are its own)."""
    return session.info.get(_APPENDED_IN) is not session.get_transaction()


def tree_store(session: Session) -> TiledSubtreeStore:
    """The tree's store in ``session``: tiles where they exist, single nodes elsewhere (made once per
    session: a receipt's proof is about 100 us, of which building the stores was a tenth)."""
    store = session.info.get(_STORE)
    if store is None:
        store = session.info[_STORE] = TiledSubtreeStore(
            SqlSubtreeStore(session),
            SqlTileStore(session),
            subtree_cache(session.get_bind().engine),
            functools.partial(_reads_committed_only, session),
        )
    return store


class _KeyedRows:
    """Rows ``(a, b, value)`` keyed by two integer columns, in the caller's session (no cache: the tree store
    caches what it reads, see :func:`tree_store`)."""

    table = ""
    columns: tuple[str, str, str] = ("", "", "")
    key_types = ("integer", "bigint")

    def __init__(self, session: Session) -> None:
        self.session = session
        dialect = session.get_bind().dialect
        self._qmark = dialect.paramstyle == "qmark"
        self._postgres = dialect.name == "postgresql"

    def _get(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        cursor = dbapi.cursor(self.session)
        try:
            return self._select(cursor, list(dict.fromkeys(keys)))
        finally:
            cursor.close()

    def _select(self, cursor: Any, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if len(keys) == 1:  # a proof's one uncached tile: the shortest path (one primary-key look-up)
            cursor.execute(_select_one_sql(self.table, self.columns, self._qmark), keys[0])
            return {(a, b): bytes(value) for a, b, value in cursor.fetchall()}
        if self._postgres:  # two array parameters: one statement text (prepared by psycopg) for any keys
            cursor.execute(
                _unnest_sql(self.table, self.columns, self.key_types),
                ([k[0] for k in keys], [k[1] for k in keys]),
            )
            return {(a, b): bytes(value) for a, b, value in cursor.fetchall()}
        by_first: dict[int, list[int]] = {}
        for a, b in keys:
            by_first.setdefault(a, []).append(b)
        read: dict[tuple[int, int], bytes] = {}
        shape: list[int] = []
        params: list[int] = []
        for a, seconds in by_first.items():
            for start in range(0, len(seconds), 500):
                chunk = seconds[start : start + 500]
                if len(params) + len(chunk) + 1 > _MAX_PARAMS:
                    self._fetch(cursor, shape, params, read)
                    shape, params = [], []
                shape.append(len(chunk))
                params.append(a)
                params.extend(chunk)
        self._fetch(cursor, shape, params, read)
        return read

    def _fetch(
        self, cursor: Any, shape: list[int], params: list[int], into: dict[tuple[int, int], bytes]
    ) -> None:
        if shape:
            cursor.execute(_select_sql(self.table, self.columns, tuple(shape), self._qmark), params)
            for a, b, value in cursor.fetchall():
                into[(a, b)] = bytes(value)

    def _put(self, items: Mapping[tuple[int, int], bytes]) -> None:
        if items:
            insert_rows(self.session, self.table, self.columns, [(a, b, v) for (a, b), v in items.items()])


class SqlSubtreeStore(_KeyedRows):
    """The Merkle tree's per-node store: rows of ``log_tree_nodes`` in the caller's session."""

    table = "log_tree_nodes"
    columns = ("level", "idx", "hash")

    def get_many(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return self._get(keys)

    def put_many(self, items: Mapping[tuple[int, int], bytes]) -> None:
        self._put(items)


class SqlTileStore(_KeyedRows):
    """Complete tiles (node_service.transparency.tiles): rows of ``log_tree_tiles``."""

    table = "log_tree_tiles"
    columns = ("tier", "tile", "hashes")

    def get_tiles(self, keys: Sequence[TileKey]) -> dict[TileKey, bytes]:
        return self._get(keys)

    def put_tiles(self, tiles: Mapping[TileKey, bytes]) -> None:
        self._put(tiles)


@functools.lru_cache(maxsize=512)
def _select_sql(table: str, columns: tuple[str, str, str], shape: tuple[int, ...], qmark: bool) -> str:
    """``SELECT … WHERE (a = ? AND b IN (?, …)) OR …`` with ``shape[i]`` values of b in clause i: one clause
    per value of a, so SQLite uses the primary key (a row-value ``IN`` makes it scan the table)."""
    a, b, value = columns
    clauses = " OR ".join(f"({a} = ? AND {b} IN ({','.join('?' * count)}))" for count in shape)
    sql = f"SELECT {a}, {b}, {value} FROM {table} WHERE " + clauses  # noqa: S608 - fixed names, placeholders
    return sql if qmark else sql.replace("?", "%s")


@functools.lru_cache(maxsize=8)
def _select_one_sql(table: str, columns: tuple[str, str, str], qmark: bool) -> str:
    a, b, value = columns
    sql = f"SELECT {a}, {b}, {value} FROM {table} WHERE {a} = ? AND {b} = ?"  # noqa: S608 - fixed names
    return sql if qmark else sql.replace("?", "%s")


@functools.lru_cache(maxsize=8)
def _unnest_sql(table: str, columns: tuple[str, str, str], key_types: tuple[str, str]) -> str:
    """PostgreSQL: the keys as two arrays joined on the primary key (at 1,000 proofs per batch about 3x
    faster than the per-value ``OR`` form, whose plan grows with the number of keys)."""
    a, b, value = columns
    return (
        f"SELECT r.{a}, r.{b}, r.{value} FROM unnest(%s::{key_types[0]}[], %s::{key_types[1]}[]) AS k(a, b) "  # noqa: S608 - fixed names
        f"JOIN {table} r ON r.{a} = k.a AND r.{b} = k.b"
    )


COPY_MIN_ROWS = 100
"""Inserts of at least this many rows use ``COPY … FROM STDIN`` where the driver offers it (psycopg 3 on
PostgreSQL: about 3x faster than executemany for thousands of rows); smaller ones, like the usual append
of 2–10 entries, keep one executemany."""


def insert_rows(session: Session, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` into ``table``; on psycopg 3 large batches stream through COPY (text format: every
    value is dumped by psycopg's own text dumpers, so JSON text, bytea and timestamptz read back through the
    ORM exactly as the executemany path stores them — tests/node_service/log/test_log_db.py compares both)."""
    if not rows:
        return
    if len(rows) >= COPY_MIN_ROWS:
        cursor = dbapi.cursor(session)
        try:
            copy = getattr(cursor, "copy", None)
            if copy is not None:
                with copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
                    write_row = stream.write_row
                    for row in rows:
                        write_row(row)
                return
        finally:
            cursor.close()
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - fixed names
    dbapi.executemany(session, sql, rows)
