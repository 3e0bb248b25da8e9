"""Group commit: submissions that wait for the log lock while another one is written are written together by
the next holder, in one transaction with one log append (:class:`GroupCommit`; the node keeps one, declared on
``Node.submission_group``). What a group's transaction writes is the caller's (``store_group``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["MAX_GROUP", "GroupCommit", "GroupMember"]

MAX_GROUP = 64  # submissions written in one transaction at most


class GroupMember(Protocol):
    done: bool  # the group it was in has finished (stored, refused or failed)
    stored: bool
    error: Exception | None

    @property
    def label(self) -> str: ...


Member = TypeVar("Member", bound=GroupMember)


class GroupCommit(Generic[Member]):
    """The queue of members waiting for the log lock; whoever holds it writes the waiting members (at most
    :data:`MAX_GROUP`) with ``store_group`` until its own member is done."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._pending: list[Member] = []

    def write(
        self,
        lock: AbstractContextManager[Any],
        item: Member,
        store_group: Callable[[list[Member]], None],
    ) -> None:
        """Write ``item`` (in a group with whoever else waits) once ``lock`` (the log's) is held; raises the
        item's own error."""
        with self._mutex:
            self._pending.append(item)
        with lock:
            while not item.done:
                with self._mutex:
                    group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
                store_group(group)
        if item.error is not None:
            raise item.error
        if not item.stored:  # the thread writing its group was interrupted
            raise RuntimeError(f"storing {item.label} was interrupted; submit it again")
