"""The resolver's authoritative records in the node's database (a :class:`HandleRecordStore`).

A prefix is served by this node when an organisation registered it (``organisation_prefixes``).
Records live in ``handle_records`` / ``handle_values``; GTIN values are also indexed in ``handle_gtins``
so that a cited GTIN finds its record. Every call runs in its own transaction, so the store is
thread-safe; :class:`SessionHandleStore` does the same work inside a caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from identifier_resolver import HandleRecord, HandleValue, IdentifierError, parse_gtin
from identifier_resolver.syntax import Handle, ascii_upper, parse_handle
from node_service.db import statements as dbapi
from node_service.db.engine import Database
from node_service.services.organisations.models import (
    HandleGtin,
    HandleRecordRow,
    HandleValueRow,
    OrganisationPrefix,
)

__all__ = [
    "DatabaseHandleStore",
    "SessionHandleStore",
    "existing_record_keys",
    "prefix_owner",
    "records_by_key",
    "served_prefixes",
]


def _value(row: HandleValueRow) -> HandleValue:
    return HandleValue(row.idx, row.type, row.format, row.value, row.ttl, row.timestamp)


def served_prefixes(session: Session, prefix_keys: Iterable[str]) -> set[str]:
    """Which of ``prefix_keys`` (upper case) an organisation registered on this node (one plain query)."""
    return _present(session, "organisation_prefixes", "prefix_key", prefix_keys)


def existing_record_keys(session: Session, handle_keys: Iterable[str]) -> set[str]:
    """Which of ``handle_keys`` have a record here (one plain query: no values loaded)."""
    return _present(session, "handle_records", "handle_key", handle_keys)


def _present(session: Session, table: str, column: str, keys: Iterable[str]) -> set[str]:
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = f"SELECT {column} FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))})"  # noqa: S608 - fixed names, placeholders
        found.update(row[0] for row in dbapi.query(session, sql, chunk))
    return found


def prefix_owner(session: Session, prefix: str) -> str | None:
    """The organisation id that registered ``prefix``, or None."""
    row = session.get(OrganisationPrefix, ascii_upper(prefix))
    return row.organisation_id if row is not None else None


def records_by_key(session: Session, handle_keys: Iterable[str]) -> dict[str, HandleRecord]:
    """The stored records among ``handle_keys`` (two queries whatever their number)."""
    keys = sorted(set(handle_keys))
    if not keys:
        return {}
    heads = {
        row.handle_key: row.handle
        for row in session.execute(
            select(HandleRecordRow).where(HandleRecordRow.handle_key.in_(keys))
        ).scalars()
    }
    if not heads:
        return {}
    values: dict[str, list[HandleValue]] = {k: [] for k in heads}
    rows = session.execute(
        select(HandleValueRow)
        .where(HandleValueRow.handle_key.in_(sorted(heads)))
        .order_by(HandleValueRow.idx)
    ).scalars()
    for row in rows:
        values[row.handle_key].append(_value(row))
    return {k: HandleRecord(parse_handle(heads[k]), tuple(values[k])) for k in heads}


def gtin_handles(session: Session, gtin14s: Iterable[str]) -> dict[str, str]:
    """GTIN-14 → the key of a served record that declares it (the first by key)."""
    wanted = sorted(set(gtin14s))
    if not wanted:
        return {}
    found: dict[str, str] = {}
    rows = session.execute(
        select(HandleGtin.gtin14, HandleGtin.handle_key)
        .where(HandleGtin.gtin14.in_(wanted))
        .order_by(HandleGtin.handle_key)
    )
    for gtin, key in rows:
        found.setdefault(gtin, key)
    return found


class SessionHandleStore:
    """Record operations inside the caller's session (one transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, handle: Handle) -> HandleRecord | None:
        return records_by_key(self.session, [handle.key]).get(handle.key)

    def put(self, record: HandleRecord) -> bool:
        key = record.handle.key
        session = self.session
        existing = session.get(HandleRecordRow, key)
        created = existing is None
        if existing is not None:
            session.execute(delete(HandleValueRow).where(HandleValueRow.handle_key == key))
            session.execute(delete(HandleGtin).where(HandleGtin.handle_key == key))
            existing.handle = str(record.handle)
            existing.updated_at = datetime.now(UTC)
        else:
            session.add(
                HandleRecordRow(
                    handle_key=key,
                    handle=str(record.handle),
                    prefix_key=record.handle.prefix_key,
                    updated_at=datetime.now(UTC),
                )
            )
        session.flush()
        gtins: set[str] = set()
        for v in record.values:
            session.add(
                HandleValueRow(
                    handle_key=key,
                    idx=v.index,
                    type=v.type,
                    format=v.format,
                    value=v.value,
                    ttl=v.ttl,
                    timestamp=v.timestamp,
                )
            )
            if v.format == "string" and ascii_upper(v.type) == "GTIN" and isinstance(v.value, str):
                try:
                    gtins.add(parse_gtin(v.value).gtin14)
                except IdentifierError:  # values were validated on the way in; be safe anyway
                    continue
        session.add_all(HandleGtin(gtin14=g, handle_key=key) for g in sorted(gtins))
        session.flush()
        return created

    def delete(self, handle: Handle) -> bool:
        key = handle.key
        row = self.session.get(HandleRecordRow, key)
        if row is None:
            return False
        self.session.execute(delete(HandleValueRow).where(HandleValueRow.handle_key == key))
        self.session.execute(delete(HandleGtin).where(HandleGtin.handle_key == key))
        self.session.delete(row)
        self.session.flush()
        return True

    def list_prefix(self, prefix: str) -> list[Handle]:
        rows = self.session.execute(
            select(HandleRecordRow.handle)
            .where(HandleRecordRow.prefix_key == ascii_upper(prefix))
            .order_by(HandleRecordRow.handle_key)
        )
        return [parse_handle(r[0]) for r in rows]

    def is_authoritative(self, prefix: str) -> bool:
        return bool(served_prefixes(self.session, [ascii_upper(prefix)]))


class DatabaseHandleStore:
    """:class:`HandleRecordStore` over the node's database; each call is one transaction.

    ``database`` is a callable so that the store can be built before the node has started.
    """

    def __init__(self, database: Callable[[], Database]) -> None:
        self._database = database

    def _run(self, fn: Callable[[SessionHandleStore], object]) -> object:
        with self._database().transaction() as session:
            return fn(SessionHandleStore(session))

    def get(self, handle: Handle) -> HandleRecord | None:
        found = self._run(lambda s: s.get(handle))
        return found if isinstance(found, HandleRecord) else None

    def put(self, record: HandleRecord) -> bool:
        return bool(self._run(lambda s: s.put(record)))

    def delete(self, handle: Handle) -> bool:
        return bool(self._run(lambda s: s.delete(handle)))

    def list_prefix(self, prefix: str) -> list[Handle]:
        found = self._run(lambda s: s.list_prefix(prefix))
        return list(found) if isinstance(found, list) else []

    def is_authoritative(self, prefix: str) -> bool:
        return bool(self._run(lambda s: s.is_authoritative(prefix)))
