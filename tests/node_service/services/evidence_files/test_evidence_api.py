"""POST/GET /evidence: stored once per CID, owned and logged per organisation, read only by whom it is shared with."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import tracemalloc

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.app import create_app
from node_service.chain.devnet import free_loopback_port
from node_service.db.models import LogEntry
from node_service.evidence import cid_of_bytes
from node_service.services.evidence_files.models import EvidenceFile
from node_service.verification import verify_receipt
from tests.node_service.helpers import activity, register, signed_activity, wait_receipt


def _upload(client, org, data: bytes, name: str = "meter.csv", media: str = "text/csv"):
    return client.post("/evidence", files={"file": (name, data, media)}, headers=org.auth)


@pytest.fixture
def node(make_node, database_url):
    return make_node(database_url)


def test_store_read_dedupe_and_log(node, tmp_path):
    data = b"meter,kWh\n1,1350000\n" * 1000
    want = cid_of_bytes(data)
    with TestClient(create_app(node=node)) as client:
        alice = register(client, "Alice", ["supplier"])
        bob = register(client, "Bob", ["supplier"])
        first = _upload(client, alice, data)
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["cid"] == want.cid and body["sha256"] == hashlib.sha256(data).hexdigest()
        assert (
            body["size"] == len(data) and body["filename"] == "meter.csv" and body["mediaType"] == "text/csv"
        )
        # the same file again: same record, no new log entry
        again = _upload(client, alice, data, name="other-name.csv")
        assert again.status_code == 200 and again.json() == body
        # another owner of the same bytes: its own row and log entry, one stored copy
        theirs = _upload(client, bob, data)
        assert theirs.status_code == 201 and theirs.json()["cid"] == want.cid
        assert theirs.json()["entryId"] != body["entryId"]
        blobs = [p for p in (node.settings.evidence_dir / "blobs").rglob("*") if p.is_file()]
        assert len(blobs) == 1
        with node.db.transaction() as session:
            entries = session.execute(select(LogEntry).where(LogEntry.type == "evidence")).scalars().all()
            assert len(entries) == 2
            assert {e.entry["cid"] for e in entries} == {want.cid}
            assert {e.entry["sha256"] for e in entries} == {hashlib.sha256(data).hexdigest()}
            assert session.scalar(select(func.count()).select_from(EvidenceFile)) == 2

        got = client.get(f"/evidence/{want.cid}", headers=alice.auth)
        assert got.status_code == 200 and got.content == data
        assert got.headers["content-type"].startswith("text/csv")
        assert "meter.csv" in got.headers["content-disposition"]
        listed = client.get("/evidence", headers=alice.auth).json()["data"]
        assert [e["cid"] for e in listed] == [want.cid]

        # the receipt of the evidence entry verifies, with the file's SHA-256 and CID
        receipt = wait_receipt(client, body["entryId"], alice)
        path = tmp_path / "meter.csv"
        path.write_bytes(data)
        report = verify_receipt(receipt, rpc_url=node.devnet.rpc_url, file=path)
        assert report.ok, [c.as_dict() for c in report.checks if not c.ok]
        assert {"content", "cid", "on-chain-head"} <= {c.name for c in report.checks}


def test_access_owner_buyer_auditor_and_nobody_else(make_node):
    node = make_node(None)
    data = os.urandom(300_000)  # two chunks: a real DAG root
    with TestClient(create_app(node=node)) as client:
        supplier = register(client, "Supplier", ["supplier"])
        buyer = register(client, "Buyer", ["buyer"])
        auditor = register(client, "Auditor", ["auditor"])
        stranger = register(client, "Stranger", ["buyer"])
        cid = _upload(client, supplier, data, name="invoice.pdf", media="application/pdf").json()["cid"]
        for org in (buyer, auditor, stranger):
            resp = client.get(f"/evidence/{cid}", headers=org.auth)
            assert resp.status_code == 404 and resp.headers["content-type"] == "application/problem+json"
        # absent CIDs answer the same 404; malformed ones say what is wrong
        absent = cid_of_bytes(b"nothing").cid
        assert client.get(f"/evidence/{absent}", headers=supplier.auth).status_code == 404
        bad = client.get("/evidence/not-a-cid", headers=supplier.auth)
        assert bad.status_code == 422 and bad.json()["field"] == "cid"

        # a buyer of a footprint whose submission cites the CID may read it, once the footprint is shared
        subject = activity(supplier.did)
        subject["inputs"]["electricity"][0]["evidence"] = [cid]
        submitted = client.post("/submissions", json=signed_activity(supplier, subject))
        assert submitted.status_code == 201, submitted.text
        footprint_id = submitted.json()["footprintId"]
        assert client.get(f"/evidence/{cid}", headers=buyer.auth).status_code == 404
        client.post(
            f"/footprints/{footprint_id}/shares", json={"organisation": buyer.did}, headers=supplier.auth
        )
        got = client.get(f"/evidence/{cid}", headers=buyer.auth)
        assert got.status_code == 200 and got.content == data
        assert client.get(f"/evidence/{cid}", headers=stranger.auth).status_code == 404

        # an auditor granted access by the owner
        assert (
            client.post(f"/evidence/{cid}/grants", json={"organisation": auditor.did}, headers=stranger.auth)
        ).status_code == 404  # not the stranger's to grant
        granted = client.post(
            f"/evidence/{cid}/grants", json={"organisation": auditor.did}, headers=supplier.auth
        )
        assert granted.status_code == 201, granted.text
        assert client.get(f"/evidence/{cid}", headers=auditor.auth).content == data
        unknown = client.post(
            f"/evidence/{cid}/grants", json={"organisation": "did:key:z6MkNobody"}, headers=supplier.auth
        )
        assert unknown.status_code == 422 and unknown.json()["field"] == "organisation"
        # the buyer may also fetch the evidence entry's receipt
        entry_id = client.get("/evidence", headers=supplier.auth).json()["data"][0]["entryId"]
        assert wait_receipt(client, entry_id, buyer)["entry"]["cid"] == cid
        assert client.get(f"/receipts/{entry_id}", headers=stranger.auth).status_code == 404


def test_size_limit_and_bad_uploads(make_node):
    node = make_node(None)
    node.evidence_max_size = 10_000
    uploads = node.settings.evidence_dir / "uploads"
    with TestClient(create_app(node=node)) as client:
        org = register(client, "Org", ["supplier"])
        assert _upload(client, org, b"x" * 10_000).status_code == 201  # exactly the limit
        too_big = _upload(client, org, b"y" * 10_001)
        assert too_big.status_code == 413, too_big.text
        problem = too_big.json()
        assert problem["type"] == "/problems/evidence-too-large" and problem["field"] == "file"
        assert "10000" in problem["detail"]
        # a declared Content-Length beyond the limit is refused before the body is read
        declared = client.post(
            "/evidence",
            content=b"--b\r\n",
            headers={
                **org.auth,
                "Content-Type": "multipart/form-data; boundary=b",
                "Content-Length": "999999999",
            },
        )
        assert declared.status_code == 413
        not_multipart = client.post(
            "/evidence", content=b"raw", headers={**org.auth, "Content-Type": "text/plain"}
        )
        assert not_multipart.status_code == 422 and not_multipart.json()["field"] == "Content-Type"
        no_file = client.post("/evidence", files={"other": ("a.txt", b"a")}, headers=org.auth)
        assert no_file.status_code == 422 and "file" in no_file.json()["detail"]
        truncated = client.post(
            "/evidence",
            content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
            headers={**org.auth, "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert truncated.status_code == 422
        assert client.post("/evidence", files={"file": ("a", b"a")}).status_code == 401
        # nothing is left behind by refused uploads, and nothing refused was stored or logged
        assert not any(uploads.iterdir())
        with node.db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(EvidenceFile)) == 1


def test_upload_is_streamed_not_buffered(make_node):
    """A 12 MiB upload sent in 64 KiB chunks to a real server: Python allocations stay far below the file size."""
    node = make_node(None)
    size, chunk = 12 * 1024 * 1024, os.urandom(64 * 1024)
    boundary = "streamtest"

    def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        for _ in range(size // len(chunk)):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    port = free_loopback_port()
    server = uvicorn.Server(uvicorn.Config(create_app(node=node), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _ in range(100):
                if server.started:
                    break
                time.sleep(0.05)
            org = register(client, "Org", ["supplier"])
            tracemalloc.start()
            try:
                resp = client.post(
                    "/evidence",
                    content=body(),
                    headers={**org.auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert resp.status_code == 201, resp.text
            assert resp.json()["size"] == size
            assert peak < 4 * 1024 * 1024, f"peak Python allocations {peak} bytes for a {size}-byte upload"
            with client.stream("GET", f"/evidence/{resp.json()['cid']}", headers=org.auth) as got:
                assert got.status_code == 200
                assert sum(len(part) for part in got.iter_bytes()) == size
    finally:
        server.should_exit = True
        thread.join(timeout=10)
