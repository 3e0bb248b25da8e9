"""Benchmark of the DB-backed transparency log (node_service.log.append).

Measures, on SQLite and (when reachable) PostgreSQL:
  * append throughput: entries/s through ``TransparencyLog.append`` in batches (one transaction per batch);
  * with a log of ``--entries`` entries (default 1,000,000, on both databases): inclusion proofs generated
    from the database per second (one proof per call, random leaves, against the full tree, after 5,000
    proofs have warmed the process's cache of upper nodes, as a running node's earlier reads would; first
    with each proof reading its bottom tile, then with every bottom tile in the cache's tile tier), the
    same batched (``inclusion_proofs``, 1,000 leaves per call), verified per second (``verify_inclusion``
    with the leaf hash and root read from the database), and proof sizes. Wall-clock rates, and in brackets
    this process's CPU rate (the database's own CPU is not counted there);
  * PostgreSQL: the floor one query per proof puts under single proofs — prepared ``SELECT 1`` round trips
    per second on one connection — and the sizes of the tree's two tables.

Targets (issue 5): append >= 20,000 entries/s; proofs generated >= 10,000/s and verified >= 50,000/s.

    .venv/bin/python benchmarks/log_bench.py      # SQLite and PostgreSQL, 1,000,000 entries each (~5 min)
    .venv/bin/python benchmarks/log_bench.py --entries 200000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import tempfile
import time
import timeit
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from node_service.db import create_database, upgrade_to_head
from node_service.db.models import LogEntry
from node_service.log.append import TransparencyLog, make_entry
from node_service.log.tree_store import configure_subtree_cache
from node_service.transparency import verify_inclusion
from node_service.transparency.tiles import TILE_BYTES, TILE_HEIGHT

DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


_ids = itertools.count()


def entries(count: int) -> list[dict]:
    return [make_entry("submission", f"urn:bench:{next(_ids)}", "ab" * 32, DID) for _ in range(count)]


def bench_append(url: str, total: int, batch: int, label: str) -> float:
    db = create_database(url)
    upgrade_to_head(db.engine)
    tlog = TransparencyLog()
    prepared = [entries(min(batch, total - s)) for s in range(0, total, batch)]
    t0, c0 = time.perf_counter(), time.process_time()
    for chunk in prepared:
        with tlog.lock, db.transaction() as session:
            tlog.append(session, chunk)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rate = total / elapsed
    print(
        f"[{label}] append {total:,} entries in batches of {batch:,}: {elapsed:.2f} s = {rate:,.0f} entries/s "
        f"(this process's cpu {total / cpu:,.0f}/s; load average {os.getloadavg()[0]:.1f})"
    )
    db.dispose()
    return rate


def bench_proofs(url: str, label: str, samples: int, batch: int = 1_000) -> None:
    db = create_database(url)
    tlog = TransparencyLog()
    # first without the bottom-tile tier: each proof reads its bottom tile (one query)
    cache = configure_subtree_cache(db.engine, 0)
    with db.transaction() as session:
        size = tlog.size(session)
        root = tlog.root(session, size)
        rng = random.Random(1)
        warm = [rng.randrange(size) for _ in range(5_000)]
        indices = [rng.randrange(size) for _ in range(samples)]
        other = [rng.randrange(size) for _ in range(samples)]
        leaves = {
            i: bytes(h)
            for i, h in session.query(LogEntry.leaf_index, LogEntry.leaf_hash).filter(
                LogEntry.leaf_index.in_(indices[:5000])
            )
        }
        for i in warm:  # fills the cache's upper levels, as a running node's earlier reads would
            tlog.inclusion_proof(session, i, size)
        t0, c0 = time.perf_counter(), time.process_time()
        proofs = [tlog.inclusion_proof(session, i, size) for i in indices]
        gen, gen_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        batched = [
            p
            for s in range(0, samples, batch)
            for p in tlog.inclusion_proofs(session, other[s : s + batch], size)
        ]
        bat, bat_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(batched) == samples
    # then as a node runs (TANLIAN_LOG_TILE_CACHE_MIB=64): bottom tiles cached as proofs read them; here
    # every one is read first, by batched proofs of one leaf per tile
    cache = configure_subtree_cache(db.engine, 64 << 20)
    assert cache is not None
    with db.transaction() as session:
        for i in warm:
            tlog.inclusion_proof(session, i, size)
        t0 = time.perf_counter()
        width = 1 << TILE_HEIGHT  # leaves per bottom tile
        firsts = range(0, size - size % width, width)
        for s in range(0, len(firsts), batch):
            tlog.inclusion_proofs(session, firsts[s : s + batch], size)
        fill = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        warm_proofs = [tlog.inclusion_proof(session, i, size) for i in indices]
        hot, hot_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert warm_proofs == proofs
    sample = [(i, p) for i, p in zip(indices, proofs, strict=True) if i in leaves]
    reps = max(1, 50_000 // max(1, len(sample)))
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(reps):
        for i, p in sample:
            verify_inclusion(i, size, leaves[i], p, root)
    ver, ver_cpu = time.perf_counter() - t0, time.process_time() - c0
    lengths = sorted(len(p) for p in proofs)
    print(
        f"[{label}] log of {size:,}: inclusion proofs generated {samples / gen:,.0f}/s "
        f"({samples / gen_cpu:,.0f}/s cpu; one query each, upper levels from the cache), "
        f"batched by {batch:,} {samples / bat:,.0f}/s ({samples / bat_cpu:,.0f}/s cpu), "
        f"verified {reps * len(sample) / ver:,.0f}/s ({reps * len(sample) / ver_cpu:,.0f}/s cpu)"
    )
    print(
        f"[{label}] with the bottom tiles cached ({cache.tiles:,} tiles, {cache.tiles * TILE_BYTES / 2**20:.0f} "
        f"MiB of hashes, read in {fill:.1f} s): inclusion proofs generated {samples / hot:,.0f}/s "
        f"({samples / hot_cpu:,.0f}/s cpu; no query); this process's peak RSS so far "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    print(f"[{label}] subtree cache: {len(cache):,} hashes, {cache.hits:,} hits, {cache.misses:,} misses")
    print(
        f"[{label}] inclusion proof size: {lengths[0]}-{lengths[-1]} hashes "
        f"({lengths[-1] * 32} bytes max; ceil(log2 n) = {(size - 1).bit_length()}); "
        f"consistency proof {len(tlog.consistency_proof(db.sessions(), size // 3, size))} hashes; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    db.dispose()


def postgres_floor(url: str, count: int = 5_000) -> None:
    """What one query per proof costs before any work: prepared ``SELECT 1`` round trips on one connection,
    and how much room the tree takes (log_tree_tiles repeats five levels of log_tree_nodes)."""
    db = create_database(url)
    with db.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        t0 = time.perf_counter()
        for _ in range(count):
            cursor.execute("SELECT 1", prepare=True)
            cursor.fetchall()
        elapsed = time.perf_counter() - t0
        sizes = {
            table: conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one()
            for table in ("log_entries", "log_tree_nodes", "log_tree_tiles")
        }
    db.dispose()
    print(
        f"[postgresql] one connection, prepared SELECT 1: {count / elapsed:,.0f} round trips/s "
        f"({elapsed / count * 1e6:.0f} us each): the ceiling of one-query-per-proof on this machine"
    )
    print("[postgresql] table sizes: " + ", ".join(f"{t} {b / 2**20:,.0f} MiB" for t, b in sizes.items()))


def sha256_ns() -> float:
    """Best of five timings of one RFC 9162 node hash: the figure that moves with the machine's speed."""
    timer = timeit.Timer(
        "sha256(b'\\x01' + left + right).digest()",
        setup="from hashlib import sha256; left = right = bytes(32)",
    )
    return min(timer.repeat(5, 100_000)) / 100_000 * 1e9


def fresh_postgres(admin: str) -> tuple[str, str]:
    name = f"tanlian_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(admin: str, name: str) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--entries", type=int, default=1_000_000, help="size of the log for the proof figures"
    )
    parser.add_argument("--append", type=int, default=100_000, help="entries for the append figure")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=20_000, help="proofs to generate")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TANLIAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    print(
        f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; this machine's speed today: "
        f"SHA-256 of 65 bytes {sha256_ns():.0f} ns (verification is ~20 of them per proof)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        bench_append(url, args.append, args.batch, "sqlite")
        bench_append(url, args.entries - args.append, args.batch, "sqlite (building the large log)")
        bench_proofs(url, "sqlite", args.samples)
        print(f"[sqlite] database file {Path(tmp, 'bench.db').stat().st_size / 2**20:,.0f} MiB")
    try:
        pg, name = fresh_postgres(args.postgres)
    except Exception as exc:
        print(f"[postgresql] skipped: {type(exc).__name__}")
        return
    try:
        bench_append(pg, args.append, args.batch, "postgresql")
        bench_append(pg, args.entries - args.append, args.batch, "postgresql (building the large log)")
        bench_proofs(pg, "postgresql", min(args.samples, 5_000))
        postgres_floor(pg)
    finally:
        drop_postgres(args.postgres, name)


if __name__ == "__main__":
    main()
