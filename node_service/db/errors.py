"""The database failing under the node (unwritable file, full disk, read-only server), as a NodeError."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

from node_service.errors import NodeError

__all__ = ["DatabaseUnavailable", "as_unavailable"]

# PostgreSQL SQLSTATEs meaning "the server will not take this write now", not "the statement is wrong":
# read-only transaction, insufficient privilege, disk full, out of memory, too many connections
_UNAVAILABLE_SQLSTATES = {"25006", "42501", "53100", "53200", "53300"}


class DatabaseUnavailable(NodeError):
    status = 503
    problem = "database-unavailable"
    title = "The database cannot be written"


def as_unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """The DatabaseUnavailable that ``exc`` amounts to (a driver error about the database itself: I/O,
    read-only, locked too long, disk full, connection lost), or None for an error of the statement."""
    if not isinstance(exc, DBAPIError):
        return None
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if not isinstance(exc, OperationalError) and sqlstate not in _UNAVAILABLE_SQLSTATES:
        return None
    reason = str(exc.orig).strip().splitlines()[0][:200] if exc.orig is not None else type(exc).__name__
    return DatabaseUnavailable(
        f"the database refused the write: {reason}",
        fix="the operator must make the database writable again (disk space, file permissions, a read-only "
        "server); retry the request later — nothing of it was stored",
    )
