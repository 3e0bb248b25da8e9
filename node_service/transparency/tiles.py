"""Tiles: the hashes of a complete 32-leaf-wide slab of the tree kept together, so a proof reads a few rows.

A random leaf's inclusion proof needs one sibling per level. Stored one per row, the low siblings differ for
every proof and each costs a B-tree look-up. A *tile* groups the five levels under one node: tile
``(tier, index)`` holds every node at levels ``5 * tier`` … ``5 * tier + 4`` below node
``(5 * (tier + 1), index)``, that is 32 + 16 + 8 + 4 + 2 = 62 hashes, level by level, left to right
(1,984 bytes). A proof's siblings then lie in one tile per tier: for a log of 10^6 leaves, four tiles, of
which the upper three are shared by so many proofs that they stay cached.

A tile is written only once it is complete (when its top node is created), so, like every stored subtree
hash, it never changes. The per-node store stays the record: tiles repeat its hashes, and a node whose tile
is not there (the right edge of the tree, a log written before tiles existed) is read from the node store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from node_service.transparency.errors import MissingSubtreeError
from node_service.transparency.merkle import HASH_SIZE
from node_service.transparency.tree import NodeKey, SubtreeStore

__all__ = [
    "TILE_BYTES",
    "TILE_HEIGHT",
    "InMemoryTileStore",
    "TileKey",
    "TileStore",
    "TiledSubtreeStore",
    "tile_node_keys",
    "tile_of",
]

TILE_HEIGHT = 5
"""Levels per tile; a tile spans 2^5 = 32 nodes of its lowest level."""

_ROW_START = tuple(2 * (1 << TILE_HEIGHT) - (2 * (1 << TILE_HEIGHT) >> local) for local in range(TILE_HEIGHT))
"""Where each level of a tile starts, in hashes: 0, 32, 48, 56, 60."""

TILE_NODES = 2 * (1 << TILE_HEIGHT) - 2
TILE_BYTES = TILE_NODES * HASH_SIZE

TileKey = tuple[int, int]
"""(tier, index): the tile below node (TILE_HEIGHT * (tier + 1), index)."""


class TileStore(Protocol):
    """Where complete tiles live: ``TILE_BYTES`` bytes each."""

    def get_tiles(self, keys: Sequence[TileKey]) -> dict[TileKey, bytes]:
        """The stored tiles among ``keys``; absent tiles are missing from the result."""
        ...

    def put_tiles(self, tiles: Mapping[TileKey, bytes]) -> None:
        """Store new, complete tiles."""
        ...


_PLACE = tuple(
    (level // TILE_HEIGHT, TILE_HEIGHT - level % TILE_HEIGHT, _ROW_START[level % TILE_HEIGHT])
    for level in range(65)
)
"""Per level: the tier of its tiles, log2 of the nodes a tile has at that level, and where they start."""


def tile_of(key: NodeKey) -> tuple[TileKey, int]:
    """The tile holding node ``key`` and the byte offset of its hash in that tile."""
    tier, shift, start = _PLACE[key[0]]
    idx = key[1]
    tile = idx >> shift
    return (tier, tile), (start + idx - (tile << shift)) * HASH_SIZE


def tile_node_keys(tile: TileKey) -> list[NodeKey]:
    """The 62 node keys of ``tile``, in the order of its bytes."""
    tier, index = tile
    keys: list[NodeKey] = []
    for local in range(TILE_HEIGHT):
        width = 1 << (TILE_HEIGHT - local)
        keys.extend((tier * TILE_HEIGHT + local, (index * width) + j) for j in range(width))
    return keys


def _split(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


class NodeCache(Protocol):
    """A cache of committed node hashes (node_service.transparency.cache.SubtreeCache)."""

    def get_many(self, keys: Iterable[NodeKey]) -> tuple[dict[NodeKey, bytes], list[NodeKey]]: ...

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None: ...

    def get_tile(self, index: int) -> bytes | None: ...

    def put_tiles(self, tiles: Mapping[int, bytes]) -> None: ...


class TiledSubtreeStore:
    """A :class:`~node_service.transparency.tree.SubtreeStore` that reads whole tiles where they exist.

    ``nodes`` is the per-node store (the record, written on every append); ``tiles`` receives each tile as it
    completes. A read takes each node from ``cache``, else from its tile when the tile is complete, else from
    ``nodes``. What it read enters ``cache`` when ``cacheable()`` says the reads were committed: the nodes
    read one by one, every node of an upper tile (tier >= 1), and each bottom tile (tier 0) whole, as one
    1,984-byte value in the cache's tile tier (its 62 nodes one by one would cost six times the memory).
    """

    def __init__(
        self,
        nodes: SubtreeStore,
        tiles: TileStore,
        cache: NodeCache | None = None,
        cacheable: Callable[[], bool] = lambda: True,
    ) -> None:
        self.nodes = nodes
        self.tiles = tiles
        self.cache = cache
        self.cacheable = cacheable

    def get_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        if not keys:
            return {}
        unique = list(dict.fromkeys(keys))
        cache = self.cache
        if cache is None:
            found: dict[NodeKey, bytes] = {}
            missing = unique
        else:
            found, missing = cache.get_many(unique)
            if not missing:
                return found
        # The keys name complete subtrees, so the tree holds at least ``reach`` leaves and every tile that
        # ends by then is complete; tiles past it (the right edge) are not looked for.
        reach = max((idx + 1) << level for level, idx in unique)
        wanted: dict[TileKey, list[tuple[NodeKey, int]]] = {}
        place = _PLACE  # tile_of, inlined
        for key in missing:
            level, idx = key
            tier, shift, start = place[level]
            index = idx >> shift
            wanted.setdefault((tier, index), []).append((key, (start + idx - (index << shift)) * HASH_SIZE))
        rest: list[NodeKey] = []
        look: list[TileKey] = []
        for tile, members in wanted.items():
            if (tile[1] + 1) << (TILE_HEIGHT * (tile[0] + 1)) <= reach:
                blob = cache.get_tile(tile[1]) if cache is not None and not tile[0] else None
                if blob is None:
                    look.append(tile)
                else:
                    for key, offset in members:
                        found[key] = blob[offset : offset + HASH_SIZE]
            else:
                rest.extend(key for key, _ in members)
        stored = self.tiles.get_tiles(look) if look else {}
        keep: dict[NodeKey, bytes] = {}  # for the cache
        bottom: dict[int, bytes] = {}
        for tile in look:
            blob = stored.get(tile)
            if blob is None:  # not written (a log older than tiles whose migration was skipped)
                rest.extend(key for key, _ in wanted[tile])
                continue
            for key, offset in wanted[tile]:
                found[key] = blob[offset : offset + HASH_SIZE]
            if tile[0]:  # an upper tile: every proof through its 1,024+ leaves needs some of its nodes
                keep.update(zip(tile_node_keys(tile), _split(blob), strict=True))
            else:
                bottom[tile[1]] = blob
        if rest:
            read = self.nodes.get_many(rest)
            found.update(read)
            keep.update(read)
        if (keep or bottom) and cache is not None and self.cacheable():
            cache.put_many(keep)
            cache.put_tiles(bottom)
        return found

    def put_many(self, items: Mapping[NodeKey, bytes]) -> None:
        """Store the nodes, then every tile whose top node is among them.

        A tile whose first leaf is new has only new nodes; the tile an append finishes, begun by an earlier
        append (at most one per tier), has older nodes, read back in one look-up for all tiers."""
        self.nodes.put_many(items)
        done = [(level // TILE_HEIGHT - 1, idx) for level, idx in items if level and level % TILE_HEIGHT == 0]
        if not done:
            return
        members = {tile: tile_node_keys(tile) for tile in done}
        begun = {tile for tile in done if (0, tile[1] << (TILE_HEIGHT * (tile[0] + 1))) not in items}
        older = [key for tile in begun for key in members[tile] if key not in items]
        read = self.nodes.get_many(older) if older else {}
        if len(read) != len(older):
            missing = sorted(set(older) - read.keys())
            raise MissingSubtreeError(
                f"tile: subtree hashes {missing[:5]} are not in the store — the store lost nodes; rebuild it "
                "from the log entries"
            )

        def new_or_read(key: NodeKey) -> bytes:
            digest = items.get(key)
            return read[key] if digest is None else digest

        self.tiles.put_tiles(
            {
                tile: b"".join(map(new_or_read if tile in begun else items.__getitem__, keys))
                for tile, keys in members.items()
            }
        )


class InMemoryTileStore:
    """A :class:`TileStore` in a dict, for tests and tools."""

    def __init__(self) -> None:
        self.tiles: dict[TileKey, bytes] = {}

    def get_tiles(self, keys: Sequence[TileKey]) -> dict[TileKey, bytes]:
        get = self.tiles.get
        return {k: t for k in keys if (t := get(k)) is not None}

    def put_tiles(self, tiles: Mapping[TileKey, bytes]) -> None:
        self.tiles.update(tiles)
