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


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f} /s   ({count:,} in {seconds:.2f} s)"


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
    t0 = time.perf_counter()
    while size < args.leaves:
        size = tree.append_leaves(size, leaves[size : size + args.batch])
    t_batched = time.perf_counter() - t0
    print(f"append (batches of {args.batch:,})         {rate(args.leaves, t_batched)}")

    single_tree, n_single = MerkleTree(InMemorySubtreeStore()), min(50_000, args.leaves)
    t0 = time.perf_counter()
    for i in range(n_single):
        single_tree.append_leaves(i, [leaves[i]])
    print(f"append (one leaf per call)           {rate(n_single, time.perf_counter() - t0)}")

    entries = [make_entry(i) for i in range(min(50_000, args.leaves))]
    entry_tree, s = MerkleTree(InMemorySubtreeStore()), 0
    t0 = time.perf_counter()
    for start in range(0, len(entries), args.batch):
        s = entry_tree.append_leaves(s, [entry_leaf_hash(e) for e in entries[start : start + args.batch]])
    print(f"append entries (RFC 8785 + hash)     {rate(len(entries), time.perf_counter() - t0)}")

    # --- inclusion proofs on the big tree -------------------------------------------------------------
    # The 2M-node dict stands in for the SQL table; keep the cyclic GC from rescanning it during timing.
    gc.collect()
    gc.freeze()
    n = args.leaves
    root = tree.root(n)
    indices = [rng.randrange(n) for _ in range(args.proofs)]
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        proofs = [tree.inclusion_proof(i, n) for i in indices]
        best = min(best, time.perf_counter() - t0)
    print(f"inclusion proofs generated (n={n:,}, best of {args.repeat}) {rate(len(proofs), best)}")
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for i, proof in zip(indices, proofs, strict=True):
            verify_inclusion(i, n, leaves[i], proof, root)
        best = min(best, time.perf_counter() - t0)
    print(f"inclusion proofs verified (best of {args.repeat}) {rate(len(proofs), best)}")
    sizes = [len(p) for p in proofs]
    print(
        f"inclusion proof size: {min(sizes)}..{max(sizes)} hashes, mean {statistics.mean(sizes):.1f} "
        f"({32 * max(sizes)} bytes max)"
    )

    # --- consistency proofs ---------------------------------------------------------------------------
    olds = [rng.randrange(1, n) for _ in range(args.proofs // 4)]
    t0 = time.perf_counter()
    cproofs = [tree.consistency_proof(m, n) for m in olds]
    print(f"consistency proofs generated         {rate(len(cproofs), time.perf_counter() - t0)}")
    old_roots = [tree.root(m) for m in olds]
    t0 = time.perf_counter()
    for m, old_root, proof in zip(olds, old_roots, cproofs, strict=True):
        verify_consistency(m, n, old_root, root, proof)
    print(f"consistency proofs verified          {rate(len(cproofs), time.perf_counter() - t0)}")
    csizes = [len(p) for p in cproofs]
    print(f"consistency proof size: {min(csizes)}..{max(csizes)} hashes, mean {statistics.mean(csizes):.1f}")
    t0 = time.perf_counter()
    for m in olds[:2000]:
        tree.root(m)
    print(f"roots of historical sizes            {rate(min(2000, len(olds)), time.perf_counter() - t0)}")


if __name__ == "__main__":
    main()
