"""Entry-to-anchored latency on anvil: time from an entry's append to the confirmation of the first head
covering it (target: p50 <= batch interval + 2 s).

Starts an embedded node (SQLite, anvil devnet) in a temporary directory, appends one entry at a time at
random moments over ``--seconds``, then reads each anchor's ``confirmed_at``.

    .venv/bin/python benchmarks/anchor_latency_bench.py --interval 5 --seconds 40
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from node_service.db.models import Anchor
from node_service.log.append import make_entry
from node_service.runtime import Node
from node_service.settings import Settings

DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=5.0, help="TANLIAN_ANCHOR_INTERVAL_SECONDS")
    parser.add_argument("--seconds", type=float, default=40.0, help="how long to append entries")
    parser.add_argument("--rate", type=float, default=5.0, help="entries per second (Poisson arrivals)")
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        node = Node(Settings(data_dir=Path(tmp), anchor_interval_seconds=args.interval)).start()
        try:
            appended: list[tuple[int, datetime]] = []
            rng = random.Random(7)
            end = time.monotonic() + args.seconds
            while time.monotonic() < end:
                with node.tlog.lock, node.db.transaction() as session:
                    [row] = node.tlog.append(
                        session, [make_entry("submission", f"urn:lat:{len(appended)}", "00" * 32, DID)]
                    )
                appended.append((row["leaf_index"], datetime.now(UTC)))
                time.sleep(rng.expovariate(args.rate))
            last = appended[-1][0]
            node.anchorer.wait_until_anchored(last, timeout=args.interval * 3 + 30)
            with node.db.transaction() as session:
                anchors = [
                    (a.tree_size, a.confirmed_at.replace(tzinfo=a.confirmed_at.tzinfo or UTC))
                    for a in session.execute(
                        select(Anchor).where(Anchor.status == "confirmed").order_by(Anchor.tree_size)
                    ).scalars()
                ]
        finally:
            node.stop()
    latencies = []
    for leaf, at in appended:
        confirmed = next(c for size, c in anchors if size > leaf)
        latencies.append((confirmed - at).total_seconds())
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"interval {args.interval:g} s, {len(latencies)} entries, {len(anchors)} anchors: entry-to-anchored "
        f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s "
        f"(target p50 <= {args.interval + 2:g} s: {'met' if p50 <= args.interval + 2 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
