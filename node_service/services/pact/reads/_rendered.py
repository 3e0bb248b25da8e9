"""Serialized v3 ProductFootprints, kept per process so that a hot footprint is not parsed and re-encoded on
every read.

A published ProductFootprint is immutable except for its ``status`` (Active → Deprecated, when a newer version
is published), so (id, status, base URL, spec version) identifies its rendered JSON exactly: the listing reads ids and
statuses from the database on every request and only fetches and renders the documents it has not cached.
Responses are assembled from the cached fragments (``{"data":[…]}``) without decoding them again.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["RenderedCache", "dumps"]


def dumps(value: Any) -> bytes:
    """JSON as Starlette's JSONResponse writes it (UTF-8, compact, no NaN)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


class RenderedCache:
    """A thread-safe LRU of rendered documents keyed by (footprint id, status, base URL, variant)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], value: bytes) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def fragments(
        self,
        keys: Iterable[tuple[str, str]],
        base_url: str,
        load: Callable[[list[str]], dict[str, Any]],
        render: Callable[[Any], dict[str, Any] | None],
        variant: str = "3",
    ) -> list[bytes]:
        """The rendered JSON of each (id, status) in order; ``load`` fetches what ``render`` needs for the cache
        misses (by id) and ``render`` turns it into the response document (None: left out, not cached).
        ``variant`` tells renderings of the same footprint apart (the PACT major version)."""
        wanted = list(keys)
        out: list[bytes | None] = [self.get((fid, status, base_url, variant)) for fid, status in wanted]
        missing = [fid for (fid, _), got in zip(wanted, out, strict=True) if got is None]
        if missing:
            documents = load(missing)
            for i, (fid, status) in enumerate(wanted):
                if out[i] is None and fid in documents:
                    rendered = render(documents[fid])
                    if rendered is not None:
                        out[i] = dumps(rendered)
                        self.put((fid, status, base_url, variant), out[i] or b"")
        return [fragment for fragment in out if fragment is not None]
