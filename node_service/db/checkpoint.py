"""SQLite WAL checkpoints in the background, off the writers' path.

By default SQLite checkpoints the write-ahead log inside the commit that makes it pass 1,000 pages, so every few
dozen submissions one of them copies megabytes back into the database file while holding the write lock, and
writers of every process wait. The node raises that threshold (a safety net, node_service.db.engine) and this
thread of the primary process runs a PASSIVE checkpoint every second instead: it never waits for readers or
writers, and copies back what it can.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

__all__ = ["WalCheckpointer"]

log = logging.getLogger("tanlian.db")


class WalCheckpointer:
    def __init__(self, engine: Engine, interval_seconds: float = 1.0) -> None:
        self.engine = engine
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tanlian-wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, frames in the WAL, frames checkpointed)."""
        with self.engine.connect() as conn:
            busy, frames, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return int(busy), int(frames), int(done)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            try:
                self.checkpoint()
            except Exception as exc:  # a locked or vanished database must not end the thread
                log.warning("WAL checkpoint failed: %s", exc)
