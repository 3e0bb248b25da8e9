"""A bounded, thread-safe cache of committed subtree hashes, shared by every reader of one log.

The hash of a complete perfect subtree ``(level, index)`` never changes once it is committed, so readers may
share it across transactions. Two least-recently-used tiers keep the memory bounded:

* the *upper* tier holds nodes at ``level >= upper_level`` (each covers at least 2^upper_level leaves): every
  proof and root touches a few of them, so they stay hot; ``upper_capacity`` entries (65,536 by default, about
  10 MiB) cover every upper node of a log of 2^(16 + upper_level) = 16.7 M leaves;
* the *lower* tier holds the rest; random proofs rarely meet the same low node twice, but recent entries
  (receipts right after a submission) do.

The cache does not decide what is committed: the caller must only ``put_many`` hashes read in a transaction
that did not write the tree (see ``node_service.services.log``), never the hashes an append computes, since
that transaction may still roll back and a later append would store a different hash at the same key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping

__all__ = ["DEFAULT_LOWER_CAPACITY", "DEFAULT_UPPER_CAPACITY", "DEFAULT_UPPER_LEVEL", "SubtreeCache"]

NodeKey = tuple[int, int]

DEFAULT_UPPER_LEVEL = 8
DEFAULT_UPPER_CAPACITY = 65_536
DEFAULT_LOWER_CAPACITY = 16_384


class SubtreeCache:
    """``(level, index) -> hash`` with two LRU tiers of fixed capacity."""

    def __init__(
        self,
        *,
        upper_level: int = DEFAULT_UPPER_LEVEL,
        upper_capacity: int = DEFAULT_UPPER_CAPACITY,
        lower_capacity: int = DEFAULT_LOWER_CAPACITY,
    ) -> None:
        if upper_level < 0 or upper_capacity < 0 or lower_capacity < 0:
            raise ValueError(
                f"cache bounds: got upper_level {upper_level}, upper_capacity {upper_capacity}, "
                f"lower_capacity {lower_capacity}, want all >= 0"
            )
        self.upper_level = upper_level
        self._tiers: tuple[OrderedDict[NodeKey, bytes], OrderedDict[NodeKey, bytes]] = (
            OrderedDict(),
            OrderedDict(),
        )
        self._capacities = (lower_capacity, upper_capacity)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._tiers[0]) + len(self._tiers[1])

    def get_many(self, keys: Iterable[NodeKey]) -> tuple[dict[NodeKey, bytes], list[NodeKey]]:
        """The cached hashes among ``keys``, and the keys not cached (in the order given)."""
        found: dict[NodeKey, bytes] = {}
        missing: list[NodeKey] = []
        upper_level, lower, upper = self.upper_level, self._tiers[0], self._tiers[1]
        with self._lock:
            for key in keys:
                tier = upper if key[0] >= upper_level else lower
                digest = tier.get(key)
                if digest is None:
                    missing.append(key)
                else:
                    tier.move_to_end(key)
                    found[key] = digest
            self.hits += len(found)
            self.misses += len(missing)
        return found, missing

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None:
        """Remember committed hashes; the least recently used entries of a full tier make room."""
        upper_level = self.upper_level
        with self._lock:
            for key, digest in items.items():
                index = 1 if key[0] >= upper_level else 0
                capacity = self._capacities[index]
                if not capacity:
                    continue
                tier = self._tiers[index]
                tier[key] = digest
                tier.move_to_end(key)
                if len(tier) > capacity:
                    tier.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            for tier in self._tiers:
                tier.clear()
            self.hits = self.misses = 0
