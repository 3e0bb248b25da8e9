"""Open-loop (paced) HTTP/1.1 load for pact_bench.py, run as its own process:

    python benchmarks/_paced_load.py BASE TOKEN PATHS_FILE CLIENTS REQUESTS RATE

CLIENTS keep-alive connections share REQUESTS GET requests sent on a fixed schedule of RATE requests/s in
total (request k is due at k / RATE seconds). Latency is measured from the due time, not the send time, so a
slow server shows up as queueing instead of being hidden (no coordinated omission). Prints one line with
p50/p95/p99/max in ms, the achieved rate and non-200 answers.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from urllib.parse import urlsplit


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def main(base: str, token: str, paths: list[str], clients: int, total: int, rate: float) -> str:
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    latencies: list[float] = []
    failures = 0
    start = time.perf_counter() + 0.5

    async def connection(index: int) -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, port)
        for k in range(index, total, clients):
            due = start + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            path = paths[k % len(paths)]
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
            )
            status = await _read_response(reader)
            latencies.append((time.perf_counter() - due) * 1000)
            failures += status != 200
        writer.close()

    await asyncio.gather(*(connection(i) for i in range(clients)))
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return (
        f"n={len(latencies)} p50={q[49]:.2f} p95={q[94]:.2f} p99={q[98]:.2f} max={max(latencies):.2f} "
        f"rps={len(latencies) / elapsed:.1f} non200={failures} (paced)"
    )


if __name__ == "__main__":
    base_url, bearer, paths_file, n_clients, n_requests, per_second = sys.argv[1:7]
    with open(paths_file, encoding="utf-8") as fh:
        all_paths = [line.strip() for line in fh if line.strip()]
    print(asyncio.run(main(base_url, bearer, all_paths, int(n_clients), int(n_requests), float(per_second))))
