"""`tanlian serve --workers 2`: two server processes on one port over one database; the parent process keeps the
devnet and the anchorer. Concurrent submissions through both processes all land in one consistent log, each
anchored once, and the whole demo path works against the served node."""

from __future__ import annotations

import json
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from node_service.chain.devnet import free_loopback_port
from node_service.verification import verify_receipt
from tests.node_service.clirun import run, serve
from tests.node_service.helpers import activity, register, signed_activity, wait_receipt

SUBMISSIONS = 16


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in found.stdout.split()]


def _serve_workers(data_dir: Path, port: int, **env: str) -> subprocess.Popen[str]:
    return serve(data_dir, port, "--workers", "2", TANLIAN_LOG_LEVEL="warning", **env)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_server_processes_share_one_log(tmp_path, backend, request):
    env = {}
    if backend == "postgresql":
        env["TANLIAN_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    port = free_loopback_port()
    proc = _serve_workers(tmp_path / "data", port, **env)
    base = f"http://127.0.0.1:{port}"
    try:
        # the parent (devnet, anchorer) and two server processes
        servers = [pid for pid in _children(proc.pid) if pid]
        assert len(servers) >= 3, servers  # anvil + 2 uvicorn workers
        with httpx.Client(base_url=base, timeout=60) as client:
            supplier = register(client, "S", ["supplier"])
            chain = client.get("/chain").json()
            assert chain["rpcUrl"].startswith("http://127.0.0.1:")  # the primary's devnet, shown by a worker
            # versions of one product and period: each stored one supersedes the one stored before it
            credentials = [signed_activity(supplier) for _ in range(SUBMISSIONS)]

        def submit(credential: dict) -> tuple[int, str]:
            # a fresh connection per request, so that both server processes take requests
            with httpx.Client(base_url=base, timeout=60) as c:
                resp = c.post("/submissions", json=credential)
                return resp.status_code, resp.text

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(submit, credentials))
        if [status for status, _ in results] != [201] * SUBMISSIONS:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
            pytest.fail(f"{[r for r in results if r[0] != 201]}\nserver log:\n{stderr[-6000:]}")
        footprint_ids = [json.loads(text)["footprintId"] for _, text in results]

        with httpx.Client(base_url=base, timeout=60) as client:
            receipts = [wait_receipt(client, fid, supplier, timeout=60) for fid in footprint_ids]
            for receipt in receipts:
                assert verify_receipt(receipt, rpc_url=chain["rpcUrl"]).ok
            # one log: every leaf index distinct, and the log's size counts every entry exactly once
            leaves = {r["leafIndex"] for r in receipts}
            assert len(leaves) == SUBMISSIONS
            # versions of the product numbered by the one log writer at a time, whichever process took them
            versions = [
                client.get(f"/footprints/{fid}", headers=supplier.auth).json()["document"]["version"]
                for fid in footprint_ids
            ]
            assert sorted(versions) == list(range(1, SUBMISSIONS + 1)), versions
            heads = client.get("/log/heads").json()
            assert heads  # anchored heads
            # two organisations claim the same GEC serials at once, through whichever processes take them:
            # one is stored, the other refused with 409 (never a 500 from the unique key)
            other = register(client, "S2", ["supplier"])
            for race in range(3):
                serials = (f"GEC-RACE-{race}-A", f"GEC-RACE-{race}-B")
                pair = [
                    signed_activity(org, activity(org.did, gec_serials=serials)) for org in (supplier, other)
                ]
                with ThreadPoolExecutor(max_workers=2) as pool:
                    statuses = sorted(status for status, _ in pool.map(submit, pair))
                assert statuses == [201, 409], statuses
        audit = run("log", "audit", "--node", base, timeout=120)
        assert audit.returncode == 0, audit.stdout + audit.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0 or proc.returncode == -signal.SIGTERM


def test_demo_against_two_server_processes(tmp_path):
    from tests.node_service.cli.test_demo_cli import run_demo_against

    run_demo_against(_serve_workers(tmp_path / "data", port := free_loopback_port()), port, tmp_path)


def test_a_worker_without_its_primary_says_what_to_do(tmp_path):
    result = run(
        "serve",
        "--port",
        str(free_loopback_port()),
        TANLIAN_DATA_DIR=str(tmp_path),
        TANLIAN_NODE_ROLE="worker",
    )
    assert result.returncode == 1
    assert "TANLIAN_CHAIN_RPC" in result.stderr + result.stdout
