"""kill -9 of `tanlian serve` during batching, after recording a pending anchor, and after broadcasting it:
on restart everything reconciles (no entry lost, no head anchored twice, nothing skipped)."""

from __future__ import annotations

import sqlite3

from tests.node_service.chain.support import assert_reconciled, events, register_org, serve


def _anchors(data_dir):
    with sqlite3.connect(data_dir / "tanlian.db") as conn:
        return conn.execute("SELECT tree_size, status, transaction_hash FROM anchors ORDER BY id").fetchall()


def _log_size(data_dir):
    with sqlite3.connect(data_dir / "tanlian.db") as conn:
        return conn.execute("SELECT tree_size FROM log_state").fetchone()[0]


def test_kill_during_batching(tmp_path):
    data = tmp_path / "data"
    node = serve(data, TANLIAN_ANCHOR_INTERVAL_SECONDS="3600")
    with node.client() as client:
        for i in range(3):
            register_org(client, f"org {i}")
        rpc = client.get("/chain").json()["rpcUrl"]
        heads = client.get("/log/heads").json()
        assert heads["heads"] == [] and heads["logSize"] >= 3  # batching: nothing sent yet
    node.kill9()
    assert _log_size(data) == heads["logSize"] and _anchors(data) == []

    node = serve(data)
    try:
        with node.client() as client:
            rpc = client.get("/chain").json()["rpcUrl"]
            got = assert_reconciled(client, rpc)
            assert got[-1][0] == heads["logSize"]
    finally:
        node.stop()


def test_kill_after_pending_record_before_broadcast(tmp_path):
    data = tmp_path / "data"
    node = serve(data, TANLIAN_FAULT="after-pending-record")
    with node.client() as client:
        register_org(client, "first")
    assert node.proc.wait(timeout=30) == -9  # the fault hook killed it
    assert "TANLIAN_FAULT=after-pending-record" in node.log_text()
    [(size, status, never_sent)] = _anchors(data)
    assert status == "pending" and size == _log_size(data)

    node = serve(data)
    try:
        with node.client() as client:
            register_org(client, "second")
            rpc = client.get("/chain").json()["rpcUrl"]
            got = assert_reconciled(client, rpc)
        # the head recorded as pending was anchored exactly once: either the identical transaction signed again
        # (same nonce, fees and data give the same hash) or a new one after it was marked failed
        assert [s for s, _, _ in got].count(size) <= 1 and got[0][0] <= size
        rows = _anchors(data)
        assert {status for _, status, tx in rows if tx == never_sent} <= {"confirmed", "failed"}
        assert not [r for r in rows if r[1] == "pending"]
    finally:
        node.stop()


def test_kill_after_broadcast_before_receipt(tmp_path):
    data = tmp_path / "data"
    node = serve(data, TANLIAN_FAULT="after-broadcast")
    with node.client() as client:
        register_org(client, "first")
        rpc = client.get("/chain").json()["rpcUrl"]
    assert node.proc.wait(timeout=30) == -9
    [(size, status, sent)] = _anchors(data)
    assert status == "pending" and size == _log_size(data)

    node = serve(data)
    try:
        with node.client() as client:
            rpc = client.get("/chain").json()["rpcUrl"]
            before_more = events(rpc, client.get("/chain").json()["contract"])
            register_org(client, "second")
            got = assert_reconciled(client, rpc)
        if (
            before_more
        ):  # the devnet kept the mined transaction: the pending anchor settled on it, not re-sent
            assert [tx for s, _, tx in got if s == size] == [sent]
            assert (size, "confirmed", sent) in _anchors(data)
        else:  # the devnet lost it with its state: the head was anchored afresh, once
            assert [s for s, _, _ in got].count(size) <= 1
    finally:
        node.stop()
