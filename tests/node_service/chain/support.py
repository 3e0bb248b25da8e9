"""Run ``tanlian serve`` processes, read the chain's TreeHeadAnchored events, and check reconciliation."""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from web3 import Web3

from contracts import load_artifact
from node_service.chain.devnet import free_loopback_port
from tests.node_service.clirun import TANLIAN, env
from tests.node_service.helpers import registration


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def serve(data_dir: Path, *, wait: bool = True, **env_values: str) -> Served:
    """``tanlian serve`` on a free port with ``TANLIAN_DATA_DIR=data_dir``; output goes to a log file."""
    port = free_loopback_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"serve-{port}.log"
    values = {"TANLIAN_DATA_DIR": str(data_dir), "TANLIAN_ANCHOR_INTERVAL_SECONDS": "0.3", **env_values}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [TANLIAN, "serve", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env(**values)
        )
    served = Served(proc, f"http://127.0.0.1:{port}", log)
    if wait:
        wait_ready(served)
    return served


def wait_ready(served: Served, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert served.proc.poll() is None, served.log_text()
        try:
            if httpx.get(f"{served.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    served.kill9()
    raise AssertionError(f"node did not become ready:\n{served.log_text()}")


def register_org(client: httpx.Client, name: str) -> dict[str, Any]:
    """Register an organisation: one log entry."""
    resp = client.post("/organisations", json=registration(Ed25519PrivateKey.generate(), name, ["supplier"]))
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def events(rpc_url: str, contract: str) -> list[tuple[int, str, str]]:
    """(treeSize, rootHash hex, transaction hash) of every TreeHeadAnchored event, in chain order."""
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    c = w3.eth.contract(
        address=Web3.to_checksum_address(contract), abi=load_artifact("TreeHeadAnchor")["abi"]
    )
    logs = c.events.TreeHeadAnchored.get_logs(from_block=0)
    return [
        (int(e["args"]["treeSize"]), bytes(e["args"]["rootHash"]).hex(), e["transactionHash"].to_0x_hex())
        for e in logs
    ]


def wait_all_anchored(
    client: httpx.Client, rpc_url: str, timeout: float = 90
) -> tuple[dict[str, Any], list[Any]]:
    """Wait until the largest anchored head covers the whole log and the chain's events agree with the
    database (or the time is up); return GET /log/heads and the events."""
    deadline = time.monotonic() + timeout
    while True:
        heads: dict[str, Any] = client.get("/log/heads").json()
        got = events(rpc_url, heads["contract"])
        database = [(h["treeSize"], h["rootHash"], h["transactionHash"]) for h in heads["heads"]]
        if (heads["heads"] and heads["heads"][-1]["treeSize"] == heads["logSize"] and database == got) or (
            time.monotonic() > deadline
        ):
            return heads, got
        time.sleep(0.2)


def assert_reconciled(client: httpx.Client, rpc_url: str) -> list[tuple[int, str, str]]:
    """Every entry anchored; no head anchored twice; the database's heads are exactly the chain's events."""
    heads, got = wait_all_anchored(client, rpc_url)
    sizes = [size for size, _, _ in got]
    assert sizes == sorted(set(sizes)), f"a head was anchored twice or out of order: {sizes}"
    assert sizes and sizes[-1] == heads["logSize"], (
        f"entries were skipped: heads {sizes}, log {heads['logSize']}"
    )
    database = [(h["treeSize"], h["rootHash"], h["transactionHash"]) for h in heads["heads"]]
    assert database == got, f"database heads {database} differ from the chain's events {got}"
    return got
