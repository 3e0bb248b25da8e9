"""The writers' lock: one appender to the transparency log at a time, in this process and across processes.

Inside a process, :class:`WriterLock` is a mutex. Across processes (``tanlian serve --workers N``) the database
serialises writers: a transaction begun by a thread that holds the lock starts, on SQLite, with
``BEGIN IMMEDIATE``, taking the database's single write lock before its first read, and on PostgreSQL with
``SELECT … FROM log_state … FOR UPDATE``, the log's row lock (see node_service.db.engine). Without it, two
processes could both read the log's size in deferred transactions and one of them would then fail with
``SQLITE_BUSY`` on its first write instead of waiting its turn.

On SQLite the lock also holds an exclusive ``flock`` on a file next to the database: a writer of another
process then sleeps in the kernel until the holder releases it and wakes at once, where SQLite's own busy
handler would poll with sleeps growing to 100 ms (which halved the throughput of two server processes).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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

    def __init__(self, lock_file: Path | None = None) -> None:
        self._mutex = threading.Lock()
        self._fd: int | None = None
        if lock_file is not None:
            self._fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._mutex.acquire(blocking, timeout)
        if got and self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BaseException as exc:
                self._mutex.release()
                if isinstance(exc, BlockingIOError):
                    return False
                raise
        if got:
            _local.depth = getattr(_local, "depth", 0) + 1
        return got

    def release(self) -> None:
        _local.depth = getattr(_local, "depth", 1) - 1
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._mutex.release()

    def close(self) -> None:
        """Close the lock file (the node is stopping)."""
        if self._fd is not None:
            with self._mutex:
                os.close(self._fd)
                self._fd = None

    def locked(self) -> bool:
        return self._mutex.locked()

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
