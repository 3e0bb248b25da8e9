"""Engine and session factory for SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from node_service.db.errors import as_unavailable
from node_service.db.writer import wants_write_lock, write_intent
from node_service.errors import StartupError

__all__ = ["Database", "create_database"]


@contextmanager
def _unavailable_as_node_error() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        unavailable = as_unavailable(exc)
        if unavailable is None:
            raise
        raise unavailable from exc


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def writer_lock_file(self) -> Path | None:
        """SQLite on a file: the file next to it that the log's writers of every process lock
        (node_service.db.writer); None otherwise."""
        name = self.engine.url.database
        if not self.is_sqlite or not name or name == ":memory:" or name.startswith("file:"):
            return None
        return Path(name).with_name(Path(name).name + ".writer-lock")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on any error. A database that
        refuses the work itself (unwritable, full, read-only, gone) raises DatabaseUnavailable (503)."""
        with _unavailable_as_node_error(), self.sessions.begin() as session:
            yield session

    @contextmanager
    def write_transaction(self) -> Iterator[Session]:
        """A transaction that reads and then writes. On SQLite it takes the database's write lock when it
        begins, so that a writer in another process (``tanlian serve --workers``) makes it wait instead of
        failing with SQLITE_BUSY at its first write; on PostgreSQL it is :meth:`transaction`."""
        with _unavailable_as_node_error(), self.sessions.begin() as session:
            if self.is_sqlite:
                with write_intent():
                    session.connection()  # BEGIN IMMEDIATE now, while the intent holds
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

    def write_problem(self) -> str | None:
        """Why the database cannot take a write now, or None when it can (for GET /readyz): a real write
        that changes nothing — SQLite rewrites its ``user_version`` header field (a database merely busy
        with another writer counts as writable); PostgreSQL creates and drops a temporary table, which a
        read-only server or transaction refuses."""
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout=200")
                    try:
                        version = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
                        conn.exec_driver_sql(f"PRAGMA user_version={version}")
                    finally:
                        conn.exec_driver_sql("PRAGMA busy_timeout=10000")
                else:
                    conn.exec_driver_sql("CREATE TEMPORARY TABLE tanlian_write_probe (x int) ON COMMIT DROP")
                    conn.commit()
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
            if self.is_sqlite and "locked" in reason:
                return None
            return reason
        return None


WAL_AUTOCHECKPOINT_PAGES = 16_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # the primary's WalCheckpointer (node_service.db.checkpoint) checkpoints every second; a commit checkpoints
    # itself only past 16,000 pages (64 MiB), e.g. when no primary runs
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cur.close()


def _sqlite_unwritable_is_disconnect(context: ExceptionContext) -> None:
    """A SQLite connection opened while its file could not be written stays read-only for life, and one that
    met an I/O error may stay broken: both count as a lost connection, so the pool drops its connections and
    opens fresh ones, and the node writes again as soon as the file can be written."""
    message = str(context.original_exception)
    if "readonly database" in message or "disk I/O error" in message:
        context.is_disconnect = True


def _sqlite_begin(conn: Connection) -> None:
    """A transaction begun by a thread holding the writers' lock (node_service.db.writer) takes the database's
    write lock at once (BEGIN IMMEDIATE). Any other transaction keeps the driver's own behaviour: statements
    run outside a transaction until the first INSERT/UPDATE/DELETE, which opens one (a read-only transaction
    then never holds a snapshot, and a read-then-write one never has to upgrade a stale snapshot)."""
    if wants_write_lock():
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_begin(conn: Connection) -> None:
    """On PostgreSQL the writers' lock across processes is the row lock on the log's ``log_state`` row, taken
    as the transaction's first statement: every check such a transaction makes (a GEC serial still free, a
    credential id not yet stored) then sees what the previous writer of any process committed."""
    if wants_write_lock():
        conn.exec_driver_sql("SELECT tree_size FROM log_state WHERE id = 1 FOR UPDATE")


def _owner_only_sqlite_files(name: str | None) -> None:
    """A SQLite database file readable and writable by the node's user only (0600): it holds API token hashes
    and the portal's CSRF secret. Created so before SQLite opens it (SQLite gives its -wal and -shm files the
    database file's permissions); an existing file, and its -wal and -shm, lose group and other permissions."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    database = Path(name)
    if not database.exists():
        with contextlib.suppress(FileNotFoundError, FileExistsError):  # no directory yet: SQLite says so
            os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for path in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)


def create_database(url: str) -> Database:
    """Connect (and check the connection) to ``url``; fail with a StartupError naming the fix."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _owner_only_sqlite_files(engine.url.database)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_unwritable_is_disconnect)
    else:
        event.listen(engine, "begin", _postgres_begin)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StartupError(
            f"database unreachable at {engine.url.render_as_string(hide_password=True)}: {reason}",
            fix="start the database or set TANLIAN_DATABASE_URL to a reachable one",
        ) from exc
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
