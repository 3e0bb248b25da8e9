"""A tanlian node for the conformance service: ``tanlian serve`` over HTTPS in a subprocess (self-signed pair,
fresh data directory), seeded with what the suite's test cases need:

* a supplier with two published footprints of two products (2024 and 2023), both with a CPC classification
  (test cases 20–28 filter by the first footprint's productId, companyId, geography, classification,
  validity and status; two footprints give ListFootprints a ``rel="next"`` link at ``limit=1``, case 5);
  one shared with the buyer, one public;
* a buyer with the PACT client the suite uses, whose remote host is the conformance service (its
  ``test_client_id``/``test_client_secret``): the RequestCreated events of cases 12 and 14.A name the service
  as ``source``, and the node sends its answers there (cases 13 and 14.B).

The node routes the RequestCreated of case 12 to the supplier's inbox, where a person would decide; here
:meth:`LocalNode.answer_requests` fulfils it through the management API. Case 14.A names ``urn:pact:null``,
which no data owner here has: the node rejects it by itself (NotFound).
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from node_service.chain.devnet import free_loopback_port
from tests.conformance.processes import ChildProcess, ConformanceError, http_ok
from tests.conformance.service import CALLBACK_CLIENT_ID, CALLBACK_CLIENT_SECRET
from tests.node_service.helpers import Org, activity, register, signed_activity

__all__ = ["LocalNode", "Seeded", "answer_requests", "register_remote_host"]

TANLIAN = Path(sys.executable).with_name("tanlian")
PRODUCTS = (
    ("88.118.8/AL-INGOT-A00", ("2024-01-01", "2024-12-31")),
    ("88.118.8/AL-INGOT-B00", ("2023-01-01", "2023-12-31")),
)
CPC = "urn:pact:productclassification:un-cpc:41532"  # unwrought aluminium


@dataclass(frozen=True)
class Seeded:
    """What seeding made: the PACT client the suite uses, and the organisations (with their API tokens)."""

    client_id: str
    client_secret: str
    supplier: Org
    buyer: Org
    footprints: list[str]


def register_remote_host(
    http: httpx.Client, owner_token: str, base_url: str, client_id: str, secret: str
) -> None:
    """The organisation behind ``owner_token`` names ``base_url`` as its PACT host (events are sent there with
    ``client_id``/``secret``), as ``POST /pact/remote-hosts`` of a tanlian node takes it."""
    resp = http.post(
        "/pact/remote-hosts",
        json={
            "baseUrl": base_url,
            "clientId": client_id,
            "clientSecret": secret,
            "subscribePublished": False,
        },
        headers={"authorization": f"Bearer {owner_token}"},
    )
    if resp.status_code not in (200, 201):
        raise ConformanceError(f"POST /pact/remote-hosts answered {resp.status_code}: {resp.text[:1000]}")


def answer_requests(http: httpx.Client, supplier_token: str, test_run_id: str) -> list[dict[str, Any]]:
    """Fulfil the supplier's pending requests that a conformance test run sent (the service's event ids are
    ``{testRunId}/{case}``; other requests in the inbox are left alone), each with the supplier's Active
    footprints matching it; the RequestFulfilled events the node queued."""
    auth = {"authorization": f"Bearer {supplier_token}"}
    resp = http.get("/pact/requests", params={"status": "pending"}, headers=auth)
    if resp.status_code != 200:
        raise ConformanceError(f"GET /pact/requests answered {resp.status_code}: {resp.text[:1000]}")
    events = []
    for request in resp.json()["data"]:
        if not str(request.get("eventId", "")).startswith(f"{test_run_id}/"):
            continue
        done = http.post(f"/pact/requests/{request['id']}/fulfil", json={}, headers=auth)
        if done.status_code != 200:
            raise ConformanceError(
                f"POST /pact/requests/{request['id']}/fulfil answered {done.status_code}: {done.text[:1000]}"
            )
        events.append(done.json())
    return events


class LocalNode:
    """``tanlian serve --tls-cert --tls-key`` on a free loopback port; ``start()`` returns once it is ready
    and seeded. ``callback_url`` is the conformance service (plain HTTP on loopback): the buyer's remote host,
    and the node's TANLIAN_PACT_REMOTE_ALLOWLIST, the operator's list of hosts exempt from the rules for
    remote PACT hosts (HTTPS only, no loopback addresses)."""

    def __init__(self, workdir: Path, *, callback_url: str) -> None:
        self.workdir = workdir
        self.callback_url = callback_url.rstrip("/")
        self.port = free_loopback_port()
        self.base_url = f"https://127.0.0.1:{self.port}"
        self.cert = workdir / "tls" / "cert.pem"
        self.key = workdir / "tls" / "key.pem"
        self.process: ChildProcess | None = None
        self.seeded: Seeded | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TANLIAN_")}
        env.update(
            TANLIAN_DATA_DIR=str(self.workdir / "node-data"),
            TANLIAN_PACT_REMOTE_ALLOWLIST=self.callback_url,
            TANLIAN_PACT_DELIVERY_INTERVAL_SECONDS="0.2",
            TANLIAN_PACT_DELIVERY_BACKOFF_SECONDS="0.5",
            TANLIAN_PACT_DELIVERY_BACKOFF_MAX_SECONDS="2",
        )
        return env

    def start(self) -> LocalNode:
        if not TANLIAN.exists():
            raise ConformanceError(f"{TANLIAN} not found — run `make install` (it creates .venv)")
        made = subprocess.run(
            [str(TANLIAN), "tls", "self-signed", "--out", str(self.cert.parent)],
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if made.returncode != 0:
            raise ConformanceError(f"tanlian tls self-signed failed: {made.stdout}{made.stderr}")
        argv = [str(TANLIAN), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        argv += ["--tls-cert", str(self.cert), "--tls-key", str(self.key)]
        self.process = ChildProcess(
            "tanlian serve", argv, env=self._env(), cwd=self.workdir, log=self.workdir / "node.log"
        )
        self.process.wait_until(
            lambda: http_ok(f"{self.base_url}/readyz", verify=self._tls()),
            timeout=120,
        )
        self.seeded = self._seed()
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> LocalNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tls(self) -> ssl.SSLContext:
        """Trust the node's self-signed certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.cert))

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, verify=self._tls(), timeout=60)

    def _seed(self) -> Seeded:
        with self.http() as http:
            supplier = register(http, "Yunnan Smelter (PACT conformance)", ["supplier"])
            buyer = register(http, "EV Motor Maker (PACT conformance)", ["buyer"])
            footprints = []
            for index, (product, period) in enumerate(PRODUCTS):
                subject = activity(
                    supplier.did,
                    productIdentifier=product,
                    reportingPeriod={"start": period[0], "end": period[1]},
                )
                for line in subject["inputs"].get("electricity", []):  # the example's GECs date from 2024
                    line.pop("greenPowerClaims", None)
                resp = http.post("/submissions", json=signed_activity(supplier, subject))
                if resp.status_code != 201:
                    raise ConformanceError(
                        f"POST /submissions answered {resp.status_code}: {resp.text[:1000]}"
                    )
                footprint_id = resp.json()["footprintId"]
                sharing: dict[str, Any] = {"public": True} if index else {"shareWith": [buyer.did]}
                resp = http.post(
                    f"/pact/footprints/{footprint_id}/publish",
                    json={**sharing, "productClassifications": [CPC]},
                    headers=supplier.auth,
                )
                if resp.status_code not in (200, 201):
                    raise ConformanceError(f"publish answered {resp.status_code}: {resp.text[:1000]}")
                footprints.append(footprint_id)
            resp = http.post("/pact/clients", json={"name": "PACT conformance service"}, headers=buyer.auth)
            if resp.status_code != 201:
                raise ConformanceError(f"POST /pact/clients answered {resp.status_code}: {resp.text[:1000]}")
            creds = resp.json()
            register_remote_host(
                http, buyer.token, self.callback_url, CALLBACK_CLIENT_ID, CALLBACK_CLIENT_SECRET
            )
        return Seeded(creds["clientId"], creds["clientSecret"], supplier, buyer, footprints)

    def answer_requests(self, test_run_id: str) -> list[dict[str, Any]]:
        """The supplier fulfils what the test run asked for (case 12)."""
        assert self.seeded is not None, "start() first"
        with self.http() as http:
            return answer_requests(http, self.seeded.supplier.token, test_run_id)
