"""PACT ListFootprints / GetFootprint latency with N published footprints, C concurrent clients on loopback.

    .venv/bin/python benchmarks/pact_bench.py [--database-url URL] [--footprints 100000] [--clients 50]
                                              [--requests 2000]

Starts a node (anvil devnet, migrations), bulk-inserts N footprint rows with their PACT rows and filter keys
directly (the calculation is not what is measured), serves the app with uvicorn on 127.0.0.1 (plain HTTP with
TANLIAN_PACT_ALLOW_HTTP so that TLS handshakes are not measured), and drives it with httpx.AsyncClient.
Prints p50/p95/p99 per action.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node_service.app import create_app
from node_service.db.models import Footprint, FootprintShare, Submission
from node_service.pact.models import PactFootprint, PactFootprintKey
from node_service.pact.publication import index_keys
from node_service.pact.settings import PactSettings
from node_service.runtime import Node
from node_service.settings import Settings
from tests.node.helpers import register
from tests.pact.servers import serve

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
        "pcfExcludingBiogenicCO2Withdrawal": "10.4",
        "pcfIncludingBiogenicCO2Withdrawal": "10.4",
        "fossilGhgEmissions": "10.4",
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0",
        "geographyCountrySubdivision": "CN-YN",
    },
}


def bulk_insert(node: Node, owner_id: str, buyer_id: str, count: int) -> list[str]:
    now = datetime.now(UTC)
    ids: list[str] = []
    with node.db.engine.begin() as conn:
        for start in range(0, count, 5000):
            subs, fps, pacts, keys, shares = [], [], [], [], []
            for i in range(start, min(start + 5000, count)):
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
                pacts.append(
                    {
                        "id": fid,
                        "organisation_id": owner_id,
                        "product_id": product,
                        "period_start": "2024-01-01",
                        "period_end": "2024-12-31",
                        "status": "Active",
                        "public": i % 2 == 0,
                        "validity_start": datetime(2025, 1, 1, tzinfo=UTC),
                        "validity_end": datetime(2028, 1, 1, tzinfo=UTC),
                        "document": doc,
                        "published_at": moment,
                        "deprecated_by": None,
                    }
                )
                keys += [{"footprint_id": fid, "kind": k, "value": v} for k, v in index_keys(doc)]
                if i % 2 == 1:
                    shares.append({"footprint_id": fid, "organisation_id": buyer_id, "created_at": moment})
            conn.execute(Submission.__table__.insert(), subs)
            conn.execute(Footprint.__table__.insert(), fps)
            conn.execute(PactFootprint.__table__.insert(), pacts)
            conn.execute(PactFootprintKey.__table__.insert(), keys)
            if shares:
                conn.execute(FootprintShare.__table__.insert(), shares)
    if node.db.engine.dialect.name == "postgresql":
        with node.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return ids


async def measure(name: str, base: str, token: str, paths: list[str], clients: int) -> None:
    latencies: list[float] = []
    errors: list[int] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers={"authorization": f"Bearer {token}"}, limits=limits, timeout=60
    ) as http:

        async def worker() -> None:
            while not queue.empty():
                path = queue.get_nowait()
                t0 = time.perf_counter()
                resp = await http.get(path)
                latencies.append((time.perf_counter() - t0) * 1000)
                if resp.status_code != 200:
                    errors.append(resp.status_code)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:32s} n={len(latencies):5d}  p50={q[49]:7.1f} ms  p95={q[94]:7.1f} ms  p99={q[98]:7.1f} ms  "
        f"{len(latencies) / elapsed:7.1f} req/s  errors={len(errors)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary data directory")
    parser.add_argument("--footprints", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        node = Node(Settings(data_dir=Path(tmp), database_url=args.database_url)).start()
        try:
            app = create_app(node=node)
            app.state.pact_settings = PactSettings(allow_http=True)
            with serve(app) as base, httpx.Client(base_url=base, timeout=60) as http:
                supplier = register(http, "Bench Supplier", ["supplier"])
                buyer = register(http, "Bench Buyer", ["buyer"])
                t0 = time.perf_counter()
                ids = bulk_insert(node, supplier.id, buyer.id, args.footprints)
                print(
                    f"{node.db.engine.dialect.name}: inserted {len(ids)} footprints in {time.perf_counter() - t0:.1f} s"
                )
                creds = http.post("/pact/clients", json={}, headers=buyer.auth).json()
                token = http.post(
                    "/auth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(creds["clientId"], creds["clientSecret"]),
                ).json()["access_token"]
                n = args.requests
                step = max(1, len(ids) // n)
                asyncio.run(
                    measure(
                        "GET /3/footprints/{id}",
                        base,
                        token,
                        [f"/3/footprints/{ids[i * step % len(ids)]}" for i in range(n)],
                        args.clients,
                    )
                )
                asyncio.run(
                    measure(
                        "GET /3/footprints?limit=10",
                        base,
                        token,
                        ["/3/footprints?limit=10"] * n,
                        args.clients,
                    )
                )
                asyncio.run(
                    measure(
                        "GET /3/footprints?productId=…",
                        base,
                        token,
                        [
                            f"/3/footprints?productId=urn:pact:example:product:{i * 37 % len(ids)}"
                            for i in range(n)
                        ],
                        args.clients,
                    )
                )
        finally:
            node.stop()


if __name__ == "__main__":
    main()
