"""`tanlian demo --out DIR` finishes the whole path in under 60 s and writes receipts in the DESIGN.md format."""

from __future__ import annotations

import json
import time

import pytest

from node_service.verification import verify_receipt
from tests.node_service.clirun import run

RECEIPT_KEYS = {"receiptVersion", "entry", "leafIndex", "treeSize", "rootHash", "inclusionProof", "anchor"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_demo_embedded(tmp_path, backend, request):
    env = {}
    if backend == "postgresql":
        env["TANLIAN_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    out = tmp_path / "out"
    started = time.monotonic()
    result = run("demo", "--out", str(out), timeout=120, **env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert elapsed < 60, f"demo took {elapsed:.1f} s"
    receipts = sorted((out / "receipts").glob("*.json"))
    assert len(receipts) == 3  # submission, footprint, one evidence file
    for path in receipts:
        receipt = json.loads(path.read_text())
        assert set(receipt) == RECEIPT_KEYS
        assert set(receipt["anchor"]) == {"chainId", "contract", "transactionHash", "blockNumber"}
        assert set(receipt["entry"]) >= {"type", "id", "sha256", "organisation", "time", "nonce"}
        assert verify_receipt(receipt).ok  # offline: the devnet is gone with the demo
    # the CLI verifier too
    verified = run("receipt", "verify", str(receipts[0]))
    assert verified.returncode == 0 and "receipt verified" in verified.stdout
    assert "done" in result.stdout


def test_receipt_verify_rejects_tampering(tmp_path):
    out = tmp_path / "out"
    assert run("demo", "--out", str(out), timeout=120).returncode == 0
    path = next((out / "receipts").glob("footprint-*.json"))
    receipt = json.loads(path.read_text())
    document_file = out / "footprint.json"
    assert run("receipt", "verify", str(path), "--file", str(document_file)).returncode == 0
    tampered_cases = []
    for mutate in (
        lambda r: r["entry"].__setitem__("sha256", "0" * 64),
        lambda r: r.__setitem__("rootHash", "ab" * 32),
        lambda r: (
            r["inclusionProof"].__setitem__(0, "cd" * 32)
            if r["inclusionProof"]
            else r.__setitem__("treeSize", 99)
        ),
        lambda r: r.__setitem__("leafIndex", r["leafIndex"] + 1),
        lambda r: r["entry"].__setitem__("nonce", "f" * 32),
    ):
        bad = json.loads(json.dumps(receipt))
        mutate(bad)
        bad_path = tmp_path / f"bad{len(tampered_cases)}.json"
        bad_path.write_text(json.dumps(bad))
        tampered_cases.append(bad_path)
    for bad_path in tampered_cases:
        result = run("receipt", "verify", str(bad_path))
        assert result.returncode == 1, result.stdout
        assert result.stderr.startswith("error: receipt does not verify")
    # a document that is not the logged one
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"id": "x"}))
    assert run("receipt", "verify", str(path), "--file", str(other)).returncode == 1


def test_demo_against_a_served_node(tmp_path):
    from node_service.chain.devnet import free_loopback_port
    from tests.node_service.clirun import serve

    port = free_loopback_port()
    run_demo_against(serve(tmp_path / "data", port, timeout=60), port, tmp_path)


def run_demo_against(proc, port, tmp_path):
    """`tanlian demo --node URL` against the served node ``proc`` (stopped afterwards)."""
    import signal

    try:
        out = tmp_path / "out"
        result = run("demo", "--node", f"http://127.0.0.1:{port}", "--out", str(out), timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(list((out / "receipts").glob("*.json"))) == 3
        assert "receipt verified (shape, leaf, inclusion, content, chain-id, on-chain-head" in result.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
