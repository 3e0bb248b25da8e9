"""Check the log's stored tree against its entries (``tanlian log check-store``): for the node's operator.

Receipts and ``tanlian log audit`` catch a tree that disagrees with the chain; this catches a damaged database
before a receipt does, in chunks (bounded memory; a node row is read up to three times: as a parent, as a child
and in its tile). For the log's size when the check starts:
  (1) entries: leaf indices run 0 … size - 1, each stored leaf hash is SHA-256(0x00 || RFC 8785(entry)) of the
      stored entry, and equals the tree's node (0, index);
  (2) nodes: every complete subtree of the tree is stored (size >> level of them per level) and every node is
      the hash of its two children;
  (3) tiles: every complete tile is stored and is its 62 nodes, in order.
Rows never change once below the size, so the check may run while the node appends; what is appended meanwhile
is left for the next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select, text

from node_service.credentials.jcs import canonicalize
from node_service.db import Database
from node_service.db.models import LogEntry
from node_service.transparency.merkle import hash_children, hash_leaf
from node_service.transparency.tiles import TILE_HEIGHT
from node_service.verification.receipt import Report

__all__ = ["check_store"]

CHUNK = 8_192
"""Rows read per statement."""

_LEVEL = text(
    "SELECT idx, hash FROM log_tree_nodes WHERE level = :level AND idx >= :lo AND idx < :hi ORDER BY idx"
)
_TILES = text(
    "SELECT tile, hashes FROM log_tree_tiles WHERE tier = :tier AND tile >= :lo AND tile < :hi ORDER BY tile"
)


class _Findings:
    """The first problem of one check and how many there were."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.count = 0

    def add(self, problem: str) -> None:
        self.count += 1
        if self.first is None:
            self.first = problem

    def report(self, report: Report, name: str, verified: str) -> None:
        if self.first is None:
            report.add(name, True, verified)
        else:
            report.add(name, False, f"{self.count} problem(s), the first: {self.first}")


def _rows(
    conn: Connection, statement: Any, where: dict[str, int], what: str, lo: int, hi: int, findings: _Findings
) -> list[bytes] | None:
    """The values of keys lo … hi - 1 (of the rows ``where`` selects), in order, or None (with a finding
    naming ``what``) when one is missing."""
    rows = conn.execute(statement, {**where, "lo": lo, "hi": hi}).all()
    keys = [int(r[0]) for r in rows]
    if keys != list(range(lo, hi)):
        missing = sorted(set(range(lo, hi)) - set(keys))
        findings.add(f"{what}: {len(missing)} missing between {lo} and {hi - 1}, the first {missing[:1]}")
        return None
    return [bytes(r[1]) for r in rows]


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, count, CHUNK):
        yield lo, min(count, lo + CHUNK)


def _check_entries(conn: Connection, size: int, report: Report) -> None:
    findings = _Findings()
    for lo, hi in _chunks(size):
        rows = conn.execute(
            select(LogEntry.leaf_index, LogEntry.entry, LogEntry.leaf_hash)
            .where(LogEntry.leaf_index >= lo, LogEntry.leaf_index < hi)
            .order_by(LogEntry.leaf_index)
        ).all()
        if [r[0] for r in rows] != list(range(lo, hi)):
            findings.add(f"entries: leaf indices {lo}..{hi - 1} are not all there once")
            continue
        leaves = _rows(conn, _LEVEL, {"level": 0}, "leaf nodes", lo, hi, findings)
        for index, entry, leaf_hash in rows:
            if hash_leaf(canonicalize(entry)) != bytes(leaf_hash):
                findings.add(f"entry {index} ({entry.get('id')}): its leaf hash is not the hash of the entry")
            elif leaves is not None and leaves[index - lo] != bytes(leaf_hash):
                findings.add(f"entry {index}: tree node (0, {index}) is not its leaf hash")
    findings.report(
        report,
        "entries",
        f"{size} entries (the log's size when the check began) hash to their leaves and the leaf nodes",
    )


def _check_nodes(conn: Connection, size: int, report: Report) -> None:
    findings = _Findings()
    checked = 0
    for level in range(1, size.bit_length()):
        for lo, hi in _chunks(size >> level):
            parents = _rows(conn, _LEVEL, {"level": level}, f"level {level}", lo, hi, findings)
            children = _rows(
                conn, _LEVEL, {"level": level - 1}, f"level {level - 1}", 2 * lo, 2 * hi, findings
            )
            if parents is None or children is None:
                continue
            for j, parent in enumerate(parents):
                if parent != hash_children(children[2 * j], children[2 * j + 1]):
                    findings.add(f"node ({level}, {lo + j}) is not the hash of its children")
            checked += len(parents)
    findings.report(report, "nodes", f"{checked} interior nodes are the hashes of their children")


def _check_tiles(conn: Connection, size: int, report: Report) -> None:
    findings = _Findings()
    tiers = range(64 // TILE_HEIGHT + 1)
    expected = {t: n for t in tiers if (n := size >> (TILE_HEIGHT * (t + 1)))}
    checked = 0
    per_chunk = CHUNK >> TILE_HEIGHT  # tiles per read: a chunk of nodes at their lowest level
    for tier, count in expected.items():
        for lo in range(0, count, per_chunk):
            hi = min(count, lo + per_chunk)
            tiles = _rows(conn, _TILES, {"tier": tier}, f"tier {tier} tiles", lo, hi, findings)
            rows = []  # per level of the tiles: (nodes per tile, the nodes of tiles lo … hi - 1)
            for local in range(TILE_HEIGHT):
                width = 1 << (TILE_HEIGHT - local)
                level = tier * TILE_HEIGHT + local
                nodes = _rows(
                    conn, _LEVEL, {"level": level}, f"level {level}", lo * width, hi * width, findings
                )
                if nodes is not None:
                    rows.append((width, nodes))
            if tiles is None or len(rows) < TILE_HEIGHT:
                continue
            for j, blob in enumerate(tiles):
                if blob != b"".join(b"".join(nodes[j * w : (j + 1) * w]) for w, nodes in rows):
                    findings.add(f"tile ({tier}, {lo + j}) differs from its nodes")
            checked += len(tiles)
    findings.report(report, "tiles", f"{checked} tiles equal their nodes")


def check_store(db: Database) -> Report:
    """Check the stored tree of ``db``'s log, as of its size now, against its entries."""
    report = Report()
    with db.engine.connect() as conn:
        size = conn.execute(text("SELECT tree_size FROM log_state WHERE id = 1")).scalar_one_or_none() or 0
        _check_entries(conn, size, report)
        _check_nodes(conn, size, report)
        _check_tiles(conn, size, report)
    return report
