"""Identifier resolution throughput.

    .venv/bin/python benchmarks/resolver_bench.py [--records 1000] [--resolutions 200000] [--http 3000]

Measures, on this machine:
1. resolutions/s from the resolver's TTL cache, in-process (records fetched once from an upstream
   Handle REST server on loopback, then served from cache) — target >= 20,000/s;
2. resolutions/s of authoritative records from the in-memory store, in-process;
3. identifier parsing (parse_identifier) per second for a mix of handles, GTINs, USCCs, Digital Links;
4. GET /api/handles/{handle} over HTTP against a uvicorn-served node on loopback (its own
   process, one worker): sequential requests with one keep-alive httpx client, and 4 client
   threads; authoritative records and cached recursive ones.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from identifier_resolver import (
    HandleRecord,
    HandleValue,
    InMemoryHandleStore,
    Resolver,
    create_router,
    parse_handle,
    parse_identifier,
)

LOCAL_PREFIX = "88.1000.12345"
REMOTE_PREFIX = "88.2000.555"


def make_store(prefix: str, records: int) -> InMemoryHandleStore:
    store = InMemoryHandleStore([prefix])
    for n in range(records):
        store.put(
            HandleRecord.build(
                parse_handle(f"{prefix}/item-{n}"),
                [
                    HandleValue.string(1, "URL", f"https://example.cn/items/{n}"),
                    HandleValue.string(2, "GTIN", "09506000134352"),
                    HandleValue.string(3, "CN_CODE", "76011000"),
                ],
            )
        )
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_forever(role: str, port: int, records: int, upstream: str | None) -> None:
    """Child-process mode: serve a node (``local`` prefix) or an upstream (``remote`` prefix)."""
    store = make_store(LOCAL_PREFIX if role == "node" else REMOTE_PREFIX, records)
    app = FastAPI()
    app.include_router(create_router(store, Resolver(store, [upstream] if upstream else [], cache_ttl=3600)))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def spawn(role: str, records: int, upstream: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server in its own process (in-process servers share the GIL with the client)."""
    port = free_port()
    command = [sys.executable, __file__, "--serve", role, "--port", str(port), "--records", str(records)]
    if upstream:
        command += ["--upstream", upstream]
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/api/handles/0.NA/none", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{role} server did not start on {url}")


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({count} in {seconds:.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--resolutions", type=int, default=200_000)
    parser.add_argument("--http", type=int, default=3000, help="HTTP requests per HTTP measurement")
    parser.add_argument("--serve", choices=("node", "upstream"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--upstream", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever(args.serve, args.port, args.records, args.upstream)
        return

    upstream, upstream_url = spawn("upstream", args.records)
    local_store = make_store(LOCAL_PREFIX, args.records)
    resolver = Resolver(local_store, [upstream_url], cache_ttl=3600, timeout=5)
    remote = [f"{REMOTE_PREFIX}/item-{n}" for n in range(args.records)]
    local = [f"{LOCAL_PREFIX}/item-{n}" for n in range(args.records)]

    started = time.perf_counter()
    for handle in remote:
        resolver.resolve(handle)
    warm = time.perf_counter() - started
    print(f"warm-up, recursive over HTTP (cache misses): {rate(len(remote), warm)}")

    # (1) cached, in-process
    n = args.resolutions
    started = time.perf_counter()
    for i in range(n):
        resolver.resolve(remote[i % len(remote)])
    print(f"in-process, from cache:        {rate(n, time.perf_counter() - started)}")

    # (2) authoritative, in-process
    started = time.perf_counter()
    for i in range(n):
        resolver.resolve(local[i % len(local)])
    print(f"in-process, authoritative:     {rate(n, time.perf_counter() - started)}")

    # (3) parsing
    mix = [
        "88.1000.12345/item-7",
        "4006381333931",
        "91350100M000100Y43",
        "https://id.gs1.org/01/09506000134352/10/L1",
    ]
    started = time.perf_counter()
    for i in range(n):
        parse_identifier(mix[i % 4])
    print(f"parse_identifier (mixed):      {rate(n, time.perf_counter() - started)}")

    # (4) over HTTP
    node, node_url = spawn("node", args.records, upstream_url)
    with httpx.Client(base_url=node_url) as client:  # warm the node's cache for the remote handles
        for handle in remote:
            assert client.get(f"/api/handles/{handle}").status_code == 200
    for label, handles in (("authoritative", local), ("cached recursive", remote)):
        with httpx.Client(base_url=node_url) as client:
            started = time.perf_counter()
            for i in range(args.http):
                response = client.get(f"/api/handles/{handles[i % len(handles)]}")
                assert response.status_code == 200, response.text
            print(f"HTTP, 1 client, {label}: {rate(args.http, time.perf_counter() - started)}")

        def worker(offset: int, urls: list[str] = handles) -> None:
            with httpx.Client(base_url=node_url) as client:
                for i in range(args.http // 4):
                    assert client.get(f"/api/handles/{urls[(offset + i) % len(urls)]}").status_code == 200

        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(worker, range(4)))
        print(f"HTTP, 4 clients, {label}: {rate(4 * (args.http // 4), time.perf_counter() - started)}")

    resolver.close()
    for process in (node, upstream):
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
