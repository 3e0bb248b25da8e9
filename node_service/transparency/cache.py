"""A bounded, thread-safe cache of committed subtree hashes, shared by every reader of one log.

The hash of a complete perfect subtree ``(level, index)`` never changes once it is committed, so readers may
share it across transactions. Two tiers of fixed capacity keep the memory bounded, each dropping its oldest
entries first (first in, first out: a hit costs one dict look-up, no reordering — reads take no lock):

* the *upper* tier holds nodes at ``level >= upper_level`` (each covers at least 2^upper_level leaves): every
  proof and root touches several of them, so they stay useful; ``upper_capacity`` entries (131,072 by
  default, about 25 MiB when full) hold every upper node of a log of 2^(16 + upper_level) = 2 M leaves;
* the *lower* tier holds the rest; random proofs rarely meet the same low node twice, but recent entries
  (receipts right after a submission) do;
* the *tile* tier holds whole bottom tiles (node_service.transparency.tiles: the 62 hashes under one node of
  level 5, 1,984 bytes), ``tile_capacity`` of them (33,825 by default: 64 MiB of hashes, every bottom tile
  of a log of 1.08 M leaves). A random proof needs one bottom tile; with it cached the proof reads nothing.

The cache does not decide what is committed: the caller must only ``put_many`` hashes read in a transaction
that did not write the tree (see ``node_service.log.tree_store``), never the hashes an append computes,
since that transaction may still roll back and a later append would store a different hash at the same key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from node_service.transparency.tiles import TILE_BYTES

__all__ = [
    "DEFAULT_LOWER_CAPACITY",
    "DEFAULT_TILE_CAPACITY",
    "DEFAULT_UPPER_CAPACITY",
    "DEFAULT_UPPER_LEVEL",
    "SubtreeCache",
]

NodeKey = tuple[int, int]

DEFAULT_UPPER_LEVEL = 5
DEFAULT_UPPER_CAPACITY = 131_072
DEFAULT_LOWER_CAPACITY = 16_384
DEFAULT_TILE_CAPACITY = (64 << 20) // TILE_BYTES


class SubtreeCache:
    """``(level, index) -> hash`` with two first-in-first-out tiers of fixed capacity."""

    def __init__(
        self,
        *,
        upper_level: int = DEFAULT_UPPER_LEVEL,
        upper_capacity: int = DEFAULT_UPPER_CAPACITY,
        lower_capacity: int = DEFAULT_LOWER_CAPACITY,
        tile_capacity: int = DEFAULT_TILE_CAPACITY,
    ) -> None:
        if min(upper_level, upper_capacity, lower_capacity, tile_capacity) < 0:
            raise ValueError(
                f"cache bounds: got upper_level {upper_level}, upper_capacity {upper_capacity}, "
                f"lower_capacity {lower_capacity}, tile_capacity {tile_capacity}, want all >= 0"
            )
        self.upper_level = upper_level
        self._tiers: tuple[OrderedDict[NodeKey, bytes], OrderedDict[NodeKey, bytes]] = (
            OrderedDict(),
            OrderedDict(),
        )
        self._capacities = (lower_capacity, upper_capacity)
        self._tiles: OrderedDict[int, bytes] = OrderedDict()
        self.tile_capacity = tile_capacity
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        """Node hashes held (the tile tier counts separately: :attr:`tiles`)."""
        return len(self._tiers[0]) + len(self._tiers[1])

    @property
    def tiles(self) -> int:
        return len(self._tiles)

    def get_tile(self, index: int) -> bytes | None:
        """Bottom tile ``index`` (the tile under node ``(5, index)``), or None; no lock, as for nodes."""
        return self._tiles.get(index)

    def put_tiles(self, tiles: Mapping[int, bytes]) -> None:
        """Remember committed, complete bottom tiles; a full tier drops its oldest tiles to make room."""
        if not self.tile_capacity:
            return
        with self._lock:
            held = self._tiles
            for index, blob in tiles.items():
                if index not in held:
                    held[index] = blob
                    if len(held) > self.tile_capacity:
                        held.popitem(last=False)

    def get_many(self, keys: Iterable[NodeKey]) -> tuple[dict[NodeKey, bytes], list[NodeKey]]:
        """The cached hashes among ``keys``, and the keys not cached (in the order given).

        No lock: each dict look-up is atomic, and an entry evicted meanwhile is simply a miss. The hit and
        miss counters are statistics and may lose a count under concurrent readers."""
        found: dict[NodeKey, bytes] = {}
        missing: list[NodeKey] = []
        upper_level, lower, upper = self.upper_level, self._tiers[0], self._tiers[1]
        for key in keys:
            digest = (upper if key[0] >= upper_level else lower).get(key)
            if digest is None:
                missing.append(key)
            else:
                found[key] = digest
        self.hits += len(found)
        self.misses += len(missing)
        return found, missing

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None:
        """Remember committed hashes; a full tier drops its oldest entries to make room."""
        upper_level = self.upper_level
        with self._lock:
            for key, digest in items.items():
                index = 1 if key[0] >= upper_level else 0
                capacity = self._capacities[index]
                if not capacity:
                    continue
                tier = self._tiers[index]
                if key in tier:
                    continue
                tier[key] = digest
                if len(tier) > capacity:
                    tier.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            for tier in self._tiers:
                tier.clear()
            self._tiles.clear()
            self.hits = self.misses = 0
