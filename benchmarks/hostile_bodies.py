"""Benchmark (issue 16): a served node survives hostile bodies with its memory bounded.

Usage: .venv/bin/python benchmarks/hostile_bodies.py [--deep 100] [--oversized 100] [--chunked-mib 64]

Starts ``tanlian serve`` (SQLite, its own anvil devnet) in a temporary data directory, then sends, one after
another on fresh connections:

- ``--deep`` bodies of ``[`` × 100,000 + ``]`` × 100,000 (the issue's reproduction, which killed the node with
  SIGSEGV), alternately to ``POST /submissions`` and ``POST /organisations``;
- ``--oversized`` bodies past ``TANLIAN_MAX_BODY_BYTES``, alternately a declared ``Content-Length`` of 300 MB
  (1 MiB of it actually sent) and ``--chunked-mib`` MiB streamed with ``Transfer-Encoding: chunked``.

The node's resident memory (VmRSS) is sampled every 10 ms throughout. Prints the answers' statuses and media
types, the latency per kind (median and max), the RSS before, at its peak and after, and whether the node still
answers. Exit status 1 unless every answer is problem+json (422 json-too-deep, 413 body-too-large), the node is
alive and the peak RSS stays within 50 MB of the baseline.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from node_service.chain.devnet import free_loopback_port  # noqa: E402

MIB = 1024 * 1024
RSS_BUDGET = 50 * 1000 * 1000
DEEP = b"[" * 100_000 + b"]" * 100_000


def rss(pid: int) -> int:
    found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    assert found
    return int(found[1]) * 1024


def serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    tanlian = shutil.which("tanlian", path=str(Path(sys.executable).parent)) or "tanlian"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANLIAN_")}
    env.update(TANLIAN_DATA_DIR=str(data_dir), TANLIAN_LOG_LEVEL="warning")
    proc = subprocess.Popen(
        [tanlian, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"tanlian serve exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("tanlian serve did not become ready in 90 s")


def exchange(port: int, head: bytes, body: Iterator[bytes]) -> tuple[int, str, str]:
    """Send ``head`` and ``body`` on a new connection until the node stops reading; (status, type, problem)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        try:
            for chunk in body:
                sock.sendall(chunk)
        except OSError:  # answered and closed while the client was still sending
            pass
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except OSError:
            pass
    if not answer:
        return 0, "", "no answer (connection dropped)"
    head_bytes, _, payload = answer.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        size, _, rest = payload.partition(b"\r\n")
        payload = rest[: int(size, 16)]
    problem = json.loads(payload).get("type", "?") if payload else ""
    return int(lines[0].split()[1]), headers.get("content-type", ""), problem


def deep(port: int, path: str) -> tuple[int, str, str]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(DEEP)}\r\nconnection: close\r\n\r\n"
    ).encode()
    return exchange(port, head, iter([DEEP]))


def declared_300_mb(port: int) -> tuple[int, str, str]:
    head = (
        f"POST /submissions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        f"content-length: {300 * 1000 * 1000}\r\n\r\n"
    ).encode()
    return exchange(port, head, (b"1" * 65536 for _ in range(16)))


def chunked(port: int, mib: int) -> tuple[int, str, str]:
    head = (
        f"POST /organisations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        "transfer-encoding: chunked\r\n\r\n"
    ).encode()
    piece = f"{MIB:x}\r\n".encode() + b"1" * MIB + b"\r\n"
    return exchange(port, head, iter([*(piece for _ in range(mib)), b"0\r\n\r\n"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deep", type=int, default=100)
    parser.add_argument("--oversized", type=int, default=100)
    parser.add_argument("--chunked-mib", type=int, default=64)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tanlian-hostile-") as tmp:
        port = free_loopback_port()
        proc = serve(Path(tmp) / "data", port)
        try:
            for _ in range(20):  # warm up: the routes' first calls import and cache what they need
                httpx.post(f"http://127.0.0.1:{port}/organisations", json={"type": []}, timeout=10)
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            time.sleep(1)
            baseline = rss(proc.pid)
            peak = baseline
            sampling = True

            def sample() -> None:
                nonlocal peak
                while sampling:
                    try:
                        peak = max(peak, rss(proc.pid))
                    except (FileNotFoundError, AssertionError):
                        return
                    time.sleep(0.01)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            answers: dict[str, collections.Counter[tuple[int, str, str]]] = collections.defaultdict(
                collections.Counter
            )
            latency: dict[str, list[float]] = collections.defaultdict(list)
            started = time.monotonic()
            for i in range(args.deep):
                path = ("/submissions", "/organisations")[i % 2]
                t = time.perf_counter()
                answers["deep nesting"][deep(port, path)] += 1
                latency["deep nesting"].append(time.perf_counter() - t)
            for i in range(args.oversized):
                kind = ("declared 300 MB", f"chunked {args.chunked_mib} MiB")[i % 2]
                t = time.perf_counter()
                answer = declared_300_mb(port) if i % 2 == 0 else chunked(port, args.chunked_mib)
                answers[kind][answer] += 1
                latency[kind].append(time.perf_counter() - t)
            elapsed = time.monotonic() - started
            sampling = False
            sampler.join()
            time.sleep(0.5)
            final = rss(proc.pid) if proc.poll() is None else 0
            alive = (
                proc.poll() is None and httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).is_success
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    print(f"hostile bodies against tanlian serve ({elapsed:.1f} s for {args.deep + args.oversized} requests)")
    every_problem = True
    for kind, counter in answers.items():
        times = latency[kind]
        print(
            f"  {kind:<22} {sum(counter.values()):>4} requests  median {statistics.median(times) * 1000:7.1f} ms  "
            f"max {max(times) * 1000:7.1f} ms"
        )
        for (status, media_type, problem), count in counter.items():
            print(f"      {count:>4} × {status} {media_type} {problem}")
            every_problem &= media_type.startswith("application/problem+json") and status in (413, 422)
    grown = peak - baseline
    print(
        f"  RSS: baseline {baseline / MIB:.0f} MiB, peak {peak / MIB:.0f} MiB (+{grown / 1e6:.1f} MB), "
        f"after {final / MIB:.0f} MiB; budget +{RSS_BUDGET / 1e6:.0f} MB"
    )
    print(f"  node alive afterwards: {alive}; every answer problem+json: {every_problem}")
    return 0 if alive and every_problem and grown <= RSS_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
