"""PACT ListFootprints / GetFootprint latency with N published footprints under C concurrent clients on loopback.

    .venv/bin/python benchmarks/pact_bench.py [--database-url URL | --postgres-admin URL]
        [--footprints 100000] [--clients 50] [--requests 5000] [--rate 0] [--workers N] [--only get,list10]

1. A node in this process (anvil devnet, migrations) registers a supplier and a buyer, makes the buyer a PACT
   client and token, then bulk-inserts N footprint rows with their PACT rows, filter keys and visibility rows
   directly (the calculation is not what is measured); half are public, half shared with the buyer.
2. The node is stopped and served again by ``tanlian serve [--workers N]`` in its own process (plain HTTP
   through TANLIAN_PACT_ALLOW_HTTP so that TLS handshakes are not measured, access log off).
3. The load generator is ``wrk`` (Debian package ``wrk``) in its own process: C connections, keep-alive, a
   bounded number of requests per scenario (the Lua script stops each thread after its share), closed loop;
   latency percentiles come from wrk's own histogram. With ``--rate R`` (requests/s over all clients) a paced,
   open-loop run of the bundled asyncio client (benchmarks/_paced_load.py, also its own process) is added,
   measuring from each request's scheduled time so that queueing is not hidden.

Prints p50/p95/p99 per action, the server's CPU time per request (user + system of the ``tanlian serve``
process and all its children, from /proc, over the run) and the 1-minute load average before and after.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from node_service.app import create_app  # noqa: E402
from node_service.db.models import Footprint, FootprintShare, Submission  # noqa: E402
from node_service.runtime import Node  # noqa: E402
from node_service.services.pact.actions.publication import index_keys  # noqa: E402
from node_service.services.pact.models import (  # noqa: E402
    PUBLIC_VIEWER,
    PactFootprint,
    PactFootprintKey,
    PactVisibility,
)
from node_service.services.pact.settings import PactSettings  # noqa: E402
from node_service.settings import Settings  # noqa: E402
from tests.node_service.helpers import register  # noqa: E402

BATCH = 5000
TEMPLATE: dict[str, Any] = {
    "id": "",
    "specVersion": "3.0.0",
    "version": 1,
    "created": "2025-01-01T00:00:00Z",
    "status": "Active",
    "validityPeriodStart": "2025-01-01T00:00:00Z",
    "validityPeriodEnd": "2028-01-01T00:00:00Z",
    "companyName": "Bench Supplier",
    "companyIds": ["urn:pact:example:bench-supplier"],
    "productDescription": "benchmark product",
    "productIds": [],
    "productNameCompany": "benchmark product",
    "pcf": {
        "declaredUnitOfMeasurement": "kilogram",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "1",
        "referencePeriodStart": "2024-01-01T00:00:00Z",
        "referencePeriodEnd": "2025-01-01T00:00:00Z",
        "pcfExcludingBiogenicUptake": "10.4",
        "pcfIncludingBiogenicUptake": "10.4",
        "fossilGhgEmissions": "10.4",
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0",
        "geographyCountrySubdivision": "CN-YN",
    },
}

WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("PACT_BENCH_PATHS")) do paths[#paths + 1] = line end
local quota = tonumber(os.getenv("PACT_BENCH_PER_THREAD"))
counter, answered, failed = 0, 0, 0 -- globals: done() reads them through thread:get
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[((counter + offset) % #paths) + 1])
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then failed = failed + 1 end
  if answered >= quota then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("failed") end
  io.write(string.format("RESULT n=%d p50=%.2f p95=%.2f p99=%.2f max=%.2f ms non200=%d errors=%d\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def bulk_insert(node: Node, owner_id: str, buyer_id: str, count: int) -> list[str]:
    """N published footprints (even: public, odd: shared with the buyer), newest first by index."""
    now = datetime.now(UTC)
    ids: list[str] = []
    with node.db.engine.begin() as conn:
        for start in range(0, count, BATCH):
            subs, fps, pacts, keys, shares, seen = [], [], [], [], [], []
            for i in range(start, min(start + BATCH, count)):
                fid = str(uuid.uuid4())
                ids.append(fid)
                product = f"urn:pact:example:product:{i}"
                sub_id = f"urn:uuid:{uuid.uuid4()}"
                moment = now - timedelta(seconds=i)
                subs.append(
                    {
                        "id": sub_id,
                        "organisation_id": owner_id,
                        "product_id": product,
                        "period_start": "2024-01-01",
                        "period_end": "2024-12-31",
                        "status": "accepted",
                        "credential": {},
                        "sha256": "0" * 64,
                        "signed_by": "bench",
                        "superseded_by": None,
                        "created_at": moment,
                    }
                )
                fps.append(
                    {
                        "id": fid,
                        "submission_id": sub_id,
                        "organisation_id": owner_id,
                        "product_id": product,
                        "result": {},
                        "sha256": "0" * 64,
                        "created_at": moment,
                    }
                )
                doc = copy.deepcopy(TEMPLATE)
                doc["id"], doc["productIds"] = fid, [product]
                public = i % 2 == 0
                pacts.append(
                    {
                        "id": fid,
                        "organisation_id": owner_id,
                        "product_id": product,
                        "period_start": "2024-01-01",
                        "period_end": "2024-12-31",
                        "status": "Active",
                        "public": public,
                        "validity_start": datetime(2025, 1, 1, tzinfo=UTC),
                        "validity_end": datetime(2028, 1, 1, tzinfo=UTC),
                        "document": doc,
                        "published_at": moment,
                        "deprecated_by": None,
                    }
                )
                keys += [{"footprint_id": fid, "kind": k, "value": v} for k, v in index_keys(doc)]
                seen.append({"footprint_id": fid, "viewer_id": owner_id, "published_at": moment})
                if public:
                    seen.append({"footprint_id": fid, "viewer_id": PUBLIC_VIEWER, "published_at": moment})
                else:
                    shares.append({"footprint_id": fid, "organisation_id": buyer_id, "created_at": moment})
                    seen.append({"footprint_id": fid, "viewer_id": buyer_id, "published_at": moment})
            conn.execute(Submission.__table__.insert(), subs)
            conn.execute(Footprint.__table__.insert(), fps)
            conn.execute(PactFootprint.__table__.insert(), pacts)
            conn.execute(PactFootprintKey.__table__.insert(), keys)
            conn.execute(PactVisibility.__table__.insert(), seen)
            if shares:
                conn.execute(FootprintShare.__table__.insert(), shares)
    with node.db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return ids


def prepare(data_dir: Path, database_url: str | None, count: int) -> tuple[str, list[str]]:
    """Steps (1): orgs, PACT client, token, N footprints. Returns the buyer's token and the footprint ids."""
    node = Node(Settings(data_dir=data_dir, database_url=database_url, anchor_interval_seconds=3600)).start()
    try:
        app = create_app(node=node)
        app.state.pact_settings = PactSettings(allow_http=True, token_ttl_seconds=86_400)
        http = TestClient(app)
        supplier = register(http, "Bench Supplier", ["supplier"])
        buyer = register(http, "Bench Buyer", ["buyer"])
        creds = http.post("/pact/clients", json={}, headers=buyer.auth).json()
        token: str = http.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(creds["clientId"], creds["clientSecret"]),
        ).json()["access_token"]
        t0 = time.perf_counter()
        ids = bulk_insert(node, supplier.id, buyer.id, count)
        print(
            f"{node.db.engine.dialect.name}: inserted {len(ids)} footprints in {time.perf_counter() - t0:.1f} s"
        )
        return token, ids
    finally:
        node.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    data_dir: Path, database_url: str | None, port: int, workers: int
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        TANLIAN_DATA_DIR=str(data_dir),
        TANLIAN_PACT_ALLOW_HTTP="true",
        TANLIAN_LOG_LEVEL="warning",
        TANLIAN_ANCHOR_INTERVAL_SECONDS="3600",
    )
    if database_url:
        env["TANLIAN_DATABASE_URL"] = database_url
    command = [str(REPO / ".venv" / "bin" / "tanlian"), "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"tanlian serve exited with {server.returncode}") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("tanlian serve did not listen within 60 s")


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of process ``root`` and its living descendants (from /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


SERVER_PID = 0  # set by main(): whose CPU time is reported


def cpu_note(cpu_before: float, answered: int) -> str:
    if not SERVER_PID or not answered:
        return ""
    spent = tree_cpu_seconds(SERVER_PID) - cpu_before
    return f" server CPU {1000 * spent / answered:.2f} ms/req"


def run_wrk(
    name: str, base: str, token: str, paths: list[str], clients: int, requests: int, seconds: int, tmp: Path
) -> None:
    """One closed-loop wrk run: ``seconds`` long, at most ``requests`` requests (wrk then idles to the end)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk not found — apt-get install -y wrk")
    script, listing = tmp / "pact.lua", tmp / f"paths-{uuid.uuid4().hex}.txt"
    script.write_text(WRK_SCRIPT)
    listing.write_text("\n".join(paths) + "\n")
    threads = min(2, clients)  # wrk wants at least one connection per thread
    env = dict(os.environ, PACT_BENCH_PATHS=str(listing), PACT_BENCH_PER_THREAD=str(requests // threads))
    before = load()
    cpu_before = tree_cpu_seconds(SERVER_PID) if SERVER_PID else 0.0
    out = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            "-H",
            f"Authorization: Bearer {token}",
            base,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = next((line[7:] for line in out.splitlines() if line.startswith("RESULT ")), out)
    done = int(result.split("n=", 1)[1].split()[0]) if "n=" in result else 0
    rate = f"{done / seconds:.0f} req/s" if done < requests else "quota reached"
    cpu = cpu_note(cpu_before, done)
    print(f"{name:34s} {result} {rate}{cpu}  load {before}->{load()}", flush=True)


def run_paced(
    name: str, base: str, token: str, paths: list[str], clients: int, requests: int, rate: float, tmp: Path
) -> None:
    listing = tmp / f"paths-{uuid.uuid4().hex}.txt"
    listing.write_text("\n".join(paths) + "\n")
    before = load()
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("_paced_load.py")),
            base,
            token,
            str(listing),
            str(clients),
            str(requests),
            str(rate),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"{name:34s} {out}  load {before}->{load()}", flush=True)


def fresh_postgres(admin: str) -> tuple[str, str]:
    name = f"tanlian_bench_{uuid.uuid4().hex[:10]}"
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


SCENARIOS = ("get", "list10", "list100", "filtered")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary data directory")
    parser.add_argument(
        "--postgres-admin", default=None, help="make (and drop) a fresh PostgreSQL database here"
    )
    parser.add_argument("--footprints", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--requests", type=int, default=50_000, help="at most this many requests per scenario"
    )
    parser.add_argument("--seconds", type=int, default=15, help="length of each closed-loop wrk run")
    parser.add_argument("--rate", type=float, default=0.0, help="also a paced run at this many requests/s")
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="seconds of unreported load per scenario first (fills the caches)",
    )
    parser.add_argument("--workers", type=int, default=1, help="tanlian serve --workers N (server processes)")
    parser.add_argument(
        "--only", default="", help=f"comma-separated scenarios among {', '.join(SCENARIOS)} (default: all)"
    )
    args = parser.parse_args()
    chosen = [c for c in args.only.split(",") if c] or list(SCENARIOS)
    unknown = [c for c in chosen if c not in SCENARIOS]
    if unknown:
        parser.error(f"--only: unknown scenario(s) {unknown}; want some of {list(SCENARIOS)}")
    database_url, dropped = args.database_url, None
    if args.postgres_admin:
        database_url, dropped = fresh_postgres(args.postgres_admin)
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            token, ids = prepare(tmp / "data", database_url, args.footprints)
            port = free_port()
            server = start_server(tmp / "data", database_url, port, args.workers)
            global SERVER_PID
            SERVER_PID = server.pid
            base = f"http://127.0.0.1:{port}"
            try:
                n = min(args.requests, 5000)  # distinct paths, cycled
                step = max(1, len(ids) // n)
                everything = {
                    "get": (
                        "GET /3/footprints/{id}",
                        [f"/3/footprints/{ids[i * step % len(ids)]}" for i in range(n)],
                    ),
                    "list10": ("GET /3/footprints?limit=10", ["/3/footprints?limit=10"]),
                    "list100": ("GET /3/footprints?limit=100", ["/3/footprints?limit=100"]),
                    "filtered": (
                        "GET /3/footprints?productId=…",
                        [
                            f"/3/footprints?productId=urn:pact:example:product:{i * 37 % len(ids)}"
                            for i in range(n)
                        ],
                    ),
                }
                scenarios = dict(everything[c] for c in chosen)
                for name, paths in scenarios.items():
                    if args.warmup > 0:
                        run_wrk(
                            f"({name}: warm-up)", base, token, paths, args.clients, 10**9, args.warmup, tmp
                        )
                    run_wrk(name, base, token, paths, args.clients, args.requests, args.seconds, tmp)
                if args.rate > 0:
                    for name, paths in scenarios.items():
                        total = int(args.rate * args.seconds)
                        label = f"{name} @{args.rate:g}/s"
                        run_paced(label, base, token, paths, args.clients, total, args.rate, tmp)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        if dropped and args.postgres_admin:
            drop_postgres(args.postgres_admin, dropped)


if __name__ == "__main__":
    main()
