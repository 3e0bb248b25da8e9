"""kill -9 of the node: organisations, submissions, footprints and anchors survive; old receipts verify."""

from __future__ import annotations

import json
import signal
import time

import httpx

from node_service.chain.devnet import free_loopback_port
from node_service.verification import verify_receipt
from tests.node_service.clirun import serve
from tests.node_service.helpers import register, signed_activity, wait_receipt


def _serve(data_dir, port):
    return serve(data_dir, port, timeout=60)


def test_kill_9_and_restart(tmp_path):
    data = tmp_path / "data"
    port = free_loopback_port()
    proc = _serve(data, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            supplier = register(client, "S", ["supplier"])
            buyer = register(client, "B", ["buyer"])
            credential = signed_activity(supplier)
            fid = client.post("/submissions", json=credential).json()["footprintId"]
            client.post(f"/footprints/{fid}/shares", json={"organisation": buyer.did}, headers=supplier.auth)
            receipt = wait_receipt(client, fid, buyer)
            rpc = client.get("/chain").json()["rpcUrl"]
            assert verify_receipt(receipt, rpc_url=rpc).ok
            # an entry logged but not yet anchored when the node dies
            late = client.post("/submissions", json=signed_activity(supplier)).json()
            time.sleep(1.2)  # let anvil's periodic state dump (1 s) include the anchored heads
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    port2 = free_loopback_port()
    proc = _serve(data, port2)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port2}", timeout=60) as client:
            assert client.get("/organisations/me", headers=supplier.auth).json()["did"] == supplier.did
            got = client.get(f"/footprints/{fid}", headers=buyer.auth)
            assert got.status_code == 200
            sub = client.get(f"/submissions/{credential['id']}", headers=supplier.auth).json()
            assert sub["footprintId"] == fid
            # the later submission for the same product and period superseded it, durably
            assert sub["status"] == "superseded" and sub["supersededBy"] == late["id"]
            info = client.get("/chain").json()
            # the receipt issued before the crash still verifies against the restarted chain
            report = verify_receipt(receipt, rpc_url=info["rpcUrl"])
            assert report.ok, json.dumps([c.as_dict() for c in report.checks], indent=1)
            # and the entry that was not anchored before the crash gets anchored now
            late_receipt = wait_receipt(client, late["footprintId"], supplier)
            assert verify_receipt(late_receipt, rpc_url=info["rpcUrl"]).ok
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
