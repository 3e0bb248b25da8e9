"""The writers' lock: one appender to the transparency log at a time, in this process and across processes.

Inside a process, :class:`WriterLock` is a mutex. Across processes (``tanlian serve --workers N``) the database
serialises writers: a transaction begun by a thread that holds the lock starts, on SQLite, with
``BEGIN IMMEDIATE``, taking the database's single write lock before its first read, and on PostgreSQL with
``SELECT … FROM log_state … FOR UPDATE``, the log's row lock (see node_service.db.engine). Without it, two
processes could both read the log's size in deferred transactions and one of them would then fail with
``SQLITE_BUSY`` on its first write instead of waiting its turn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

__all__ = ["WriterLock", "wants_write_lock", "write_intent"]

_local = threading.local()


def wants_write_lock() -> bool:
    """Whether a transaction begun now, in this thread, should take the database's write lock at once."""
    return getattr(_local, "depth", 0) > 0


@contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun in this thread inside the block take the write lock at BEGIN (SQLite)."""
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


class WriterLock:
    """A non-reentrant mutex that also marks its holder thread as a writer (see the module docstring).

    Acquire it *before* the transaction begins: ``with lock, db.transaction() as session: …``.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._mutex.acquire(blocking, timeout)
        if got:
            _local.depth = getattr(_local, "depth", 0) + 1
        return got

    def release(self) -> None:
        _local.depth = getattr(_local, "depth", 1) - 1
        self._mutex.release()

    def locked(self) -> bool:
        return self._mutex.locked()

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
