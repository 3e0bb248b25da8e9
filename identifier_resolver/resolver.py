"""Resolution: authoritative records from the store, the rest recursively from upstream servers.

``Resolver.resolve(handle)`` follows these steps:

1. Parse the handle (rejects malformed input before any I/O).
2. Authoritative prefix → the store's record, never cached (the store is the truth);
   no record → :class:`HandleNotFoundError`.
3. Fresh cache entry → that record.
4. Hop count at the limit → :class:`RecursionLimitError` (two resolvers forwarding to each other).
5. No upstream configured → :class:`NotResponsibleError`.
6. Ask each upstream in order (``timeout`` seconds each) for the whole record, with the hop count
   plus one. The first record wins and is cached for ``min(cache_ttl, smallest value ttl)``
   seconds (ttl 0 → not cached). If none has it: :class:`HandleNotFoundError` when at least one
   upstream answered "not found", else :class:`UpstreamError` listing every failure.

The cache holds at most ``max_entries`` records; the oldest entry goes first when it is full.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from identifier_resolver.client import HandleClient
from identifier_resolver.errors import (
    HandleNotFoundError,
    HandleServerError,
    NotResponsibleError,
    RecursionLimitError,
    ServerUnreachableError,
    UpstreamError,
)
from identifier_resolver.records import HandleRecord
from identifier_resolver.store import HandleRecordStore
from identifier_resolver.syntax.handle import Handle, parse_handle

__all__ = ["DEFAULT_MAX_HOPS", "Resolution", "Resolver"]

DEFAULT_MAX_HOPS = 4


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved record and where it came from: ``"store"``, ``"cache"`` or the upstream URL."""

    record: HandleRecord
    source: str

    @property
    def authoritative(self) -> bool:
        return self.source == "store"


class Resolver:
    """Resolve handles: authoritative from ``store``, others via ``upstreams`` with a TTL cache."""

    def __init__(
        self,
        store: HandleRecordStore,
        upstreams: list[str] | None = None,
        cache_ttl: float = 300.0,
        timeout: float = 5.0,
        *,
        max_entries: int = 100_000,
        max_hops: int = DEFAULT_MAX_HOPS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if cache_ttl < 0 or timeout <= 0 or max_entries < 1 or max_hops < 1:
            raise ValueError(
                f"Resolver settings: got cache_ttl={cache_ttl}, timeout={timeout}, max_entries={max_entries}, "
                f"max_hops={max_hops} — want cache_ttl >= 0, timeout > 0, max_entries >= 1, max_hops >= 1"
            )
        self.store = store
        self.upstreams = list(upstreams or [])
        self.cache_ttl = cache_ttl
        self.timeout = timeout
        self.max_entries = max_entries
        self.max_hops = max_hops
        self._clock = clock
        self._cache: dict[str, tuple[float, HandleRecord]] = {}
        self._lock = threading.Lock()
        self._clients = [HandleClient(url, timeout=timeout) for url in self.upstreams]

    def close(self) -> None:
        for client in self._clients:
            client.close()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def is_authoritative(self, handle: Handle) -> bool:
        return self.store.is_authoritative(handle.prefix)

    def resolve(self, handle: Handle | str, *, hops: int = 0) -> Resolution:
        """Resolve one handle (see the module docstring for the steps)."""
        # (1) parse
        parsed = handle if isinstance(handle, Handle) else parse_handle(handle)
        # (2) authoritative
        if self.store.is_authoritative(parsed.prefix):
            record = self.store.get(parsed)
            if record is None:
                raise HandleNotFoundError(str(parsed), "no record under this node's prefix")
            return Resolution(record, "store")
        # (3) cache
        key = parsed.key
        entry = self._cache.get(key)
        if entry is not None:
            if entry[0] > self._clock():
                return Resolution(entry[1], "cache")
            with self._lock:
                self._cache.pop(key, None)
        # (4) loop protection, (5) nobody to ask
        if hops >= self.max_hops:
            raise RecursionLimitError(str(parsed), hops, self.max_hops)
        if not self._clients:
            raise NotResponsibleError(str(parsed), parsed.prefix)
        # (6) upstreams in order
        return self._resolve_upstream(parsed, hops)

    def _resolve_upstream(self, handle: Handle, hops: int) -> Resolution:
        failures: list[str] = []
        not_found = False
        for client in self._clients:
            try:
                record = client.get_record(handle, hops=hops + 1)
            except HandleNotFoundError:
                not_found = True
                failures.append(f"{client.base_url}: not found")
                continue
            except (HandleServerError, ServerUnreachableError) as exc:
                failures.append(f"{client.base_url}: {exc}")
                continue
            self._remember(handle, record)
            return Resolution(record, client.base_url)
        if not_found:
            raise HandleNotFoundError(str(handle), "; ".join(failures))
        raise UpstreamError(str(handle), failures)

    def _remember(self, handle: Handle, record: HandleRecord) -> None:
        ttl = self.cache_ttl if record.min_ttl is None else min(self.cache_ttl, float(record.min_ttl))
        if ttl <= 0:
            return
        with self._lock:
            if len(self._cache) >= self.max_entries:
                self._cache.pop(next(iter(self._cache)))
            self._cache[handle.key] = (self._clock() + ttl, record)
