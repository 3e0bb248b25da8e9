"""Where the records of the prefixes this node is authoritative for live.

:class:`HandleRecordStore` is the protocol the resolver and router use; :class:`InMemoryHandleStore`
is the reference implementation (the node backs the protocol with its database). Keys are
:attr:`Handle.key` (ASCII case-insensitive); prefixes compare ASCII case-insensitively and exactly
(being authoritative for ``88.1000`` does not make a node authoritative for ``88.1000.12345``:
each is its own naming authority, as in the Handle System).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from identifier_resolver.records import HandleRecord
from identifier_resolver.syntax.handle import Handle, ascii_upper

__all__ = ["HandleRecordStore", "InMemoryHandleStore"]


@runtime_checkable
class HandleRecordStore(Protocol):
    """Storage of authoritative handle records. Implementations must be thread-safe."""

    def get(self, handle: Handle) -> HandleRecord | None:
        """The record, or None when the handle has none."""
        ...

    def put(self, record: HandleRecord) -> bool:
        """Create or replace the record; True when it was created."""
        ...

    def delete(self, handle: Handle) -> bool:
        """Remove the record; True when one existed."""
        ...

    def list_prefix(self, prefix: str) -> list[Handle]:
        """Every handle under ``prefix``, ordered by key."""
        ...

    def is_authoritative(self, prefix: str) -> bool:
        """True when this node serves the records of ``prefix``."""
        ...


class InMemoryHandleStore:
    """A dict-backed :class:`HandleRecordStore` (tests, benchmarks, embedded use)."""

    def __init__(self, prefixes: Iterable[str] = ()) -> None:
        self._records: dict[str, HandleRecord] = {}
        self._prefixes: set[str] = {ascii_upper(p) for p in prefixes}
        self._lock = threading.Lock()

    def add_prefix(self, prefix: str) -> None:
        with self._lock:
            self._prefixes.add(ascii_upper(prefix))

    def remove_prefix(self, prefix: str) -> None:
        with self._lock:
            self._prefixes.discard(ascii_upper(prefix))

    def get(self, handle: Handle) -> HandleRecord | None:
        return self._records.get(handle.key)

    def put(self, record: HandleRecord) -> bool:
        with self._lock:
            created = record.handle.key not in self._records
            self._records[record.handle.key] = record
            return created

    def delete(self, handle: Handle) -> bool:
        with self._lock:
            return self._records.pop(handle.key, None) is not None

    def list_prefix(self, prefix: str) -> list[Handle]:
        start = ascii_upper(prefix) + "/"
        with self._lock:
            found = [(k, r.handle) for k, r in self._records.items() if k.startswith(start)]
        return [h for _, h in sorted(found)]

    def is_authoritative(self, prefix: str) -> bool:
        return ascii_upper(prefix) in self._prefixes
