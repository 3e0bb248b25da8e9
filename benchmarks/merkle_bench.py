"""Transparency-log Merkle tree throughput (RFC 9162 tree over the in-memory subtree store).

    .venv/bin/python benchmarks/merkle_bench.py [--leaves 1000000] [--proofs 20000]

Measures: appends/s (batched leaf hashes; one-at-a-time; and full entries incl. RFC 8785 + leaf hash),
then, on a tree of --leaves leaves, inclusion proofs generated/s and verified/s, consistency proofs
generated/s and verified/s, and proof sizes. Targets (issue 5): append >= 20,000/s; with 1,000,000 leaves
inclusion proofs generated >= 10,000/s and verified >= 50,000/s.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import time
import uuid

from node_service.transparency import (
    InMemorySubtreeStore,
    MerkleTree,
    entry_leaf_hash,
    hash_leaf,
    verify_consistency,
    verify_inclusion,
)


class Clock:
    """Wall time and this process's CPU time: on a shared machine the CPU figure is the code's own cost."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def report(label: str, count: int, clocks: list[Clock]) -> None:
    wall, cpu = min(c.wall for c in clocks), min(c.cpu for c in clocks)
    best = f" (best of {len(clocks)})" if len(clocks) > 1 else ""
    print(
        f"{label + best:<46} {count / wall:>10,.0f} /s wall  {count / cpu:>10,.0f} /s cpu   "
        f"({count:,} in {wall:.2f} s)"
    )


def make_entry(i: int) -> dict[str, str]:
    return {
        "type": "footprint",
        "id": str(uuid.UUID(int=i)),
        "sha256": os.urandom(32).hex(),
        "organisation": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "time": "2026-11-21T12:00:00Z",
        "nonce": os.urandom(16).hex(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000, help="leaves per append_leaves call")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds for proofs; the best is shown")
    args = parser.parse_args()
    rng = random.Random(9162)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus")

    # --- appends -------------------------------------------------------------------------------------
    leaves = [hash_leaf(rng.randbytes(32)) for _ in range(args.leaves)]
    tree, size = MerkleTree(InMemorySubtreeStore()), 0
    with Clock() as clock:
        while size < args.leaves:
            size = tree.append_leaves(size, leaves[size : size + args.batch])
    report(f"append (batches of {args.batch:,})", args.leaves, [clock])

    single_tree, n_single = MerkleTree(InMemorySubtreeStore()), min(50_000, args.leaves)
    with Clock() as clock:
        for i in range(n_single):
            single_tree.append_leaves(i, [leaves[i]])
    report("append (one leaf per call)", n_single, [clock])

    entries = [make_entry(i) for i in range(min(50_000, args.leaves))]
    entry_tree, s = MerkleTree(InMemorySubtreeStore()), 0
    with Clock() as clock:
        for start in range(0, len(entries), args.batch):
            s = entry_tree.append_leaves(s, [entry_leaf_hash(e) for e in entries[start : start + args.batch]])
    report("append entries (RFC 8785 + leaf hash)", len(entries), [clock])

    # --- proofs on the big tree -----------------------------------------------------------------------
    # The 2M-node dict stands in for the SQL table; keep the cyclic GC from rescanning it during timing.
    gc.collect()
    gc.freeze()
    n = args.leaves
    root = tree.root(n)
    indices = [rng.randrange(n) for _ in range(args.proofs)]
    clocks = []
    for _ in range(args.repeat):
        with Clock() as clock:
            proofs = [tree.inclusion_proof(i, n) for i in indices]
        clocks.append(clock)
    report(f"inclusion proofs generated, n={n:,}", len(proofs), clocks)
    clocks = []
    for _ in range(args.repeat):
        with Clock() as clock:
            for i, proof in zip(indices, proofs, strict=True):
                verify_inclusion(i, n, leaves[i], proof, root)
        clocks.append(clock)
    report("inclusion proofs verified", len(proofs), clocks)
    sizes = [len(p) for p in proofs]
    print(
        f"inclusion proof size: {min(sizes)}..{max(sizes)} hashes, mean {statistics.mean(sizes):.1f} "
        f"({32 * max(sizes)} bytes max)"
    )

    olds = [rng.randrange(1, n) for _ in range(args.proofs // 4)]
    with Clock() as clock:
        cproofs = [tree.consistency_proof(m, n) for m in olds]
    report("consistency proofs generated", len(cproofs), [clock])
    old_roots = [tree.root(m) for m in olds]
    with Clock() as clock:
        for m, old_root, proof in zip(olds, old_roots, cproofs, strict=True):
            verify_consistency(m, n, old_root, root, proof)
    report("consistency proofs verified", len(cproofs), [clock])
    csizes = [len(p) for p in cproofs]
    print(f"consistency proof size: {min(csizes)}..{max(csizes)} hashes, mean {statistics.mean(csizes):.1f}")
    with Clock() as clock:
        for m in olds[:2000]:
            tree.root(m)
    report("roots of historical sizes", min(2000, len(olds)), [clock])
    print(f"load average during the run: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
