"""``tanlian backup`` of a running node, ``tanlian restore`` into a fresh data directory (and an empty
database on PostgreSQL), then a node started on the restored data: the same anchor contract, and every receipt
issued before the backup verifies on the restored chain; the evidence comes back byte for byte."""

from __future__ import annotations

import shutil
import stat
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from node_service.app import create_app
from node_service.verification import verify_receipt
from tests.node_service.clirun import run
from tests.node_service.helpers import register, signed_activity, wait_receipt

pytestmark = pytest.mark.chain


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str | None, str | None]]:
    """(the node's database URL, an empty one to restore into); None, None for SQLite in the data dir."""
    if request.param == "sqlite":
        yield None, None
        return
    server = request.getfixturevalue("postgres_server")
    names = [f"tanlian_b_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        urls = [make_url(server).set(database=n).render_as_string(hide_password=False) for n in names]
        yield urls[0], urls[1]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_restore_into_a_fresh_data_directory_keeps_every_receipt(make_node, tmp_path, databases):
    source_url, target_url = databases
    data, restored, backup = tmp_path / "data", tmp_path / "restored", tmp_path / "backup"
    node = make_node(database_url=source_url, data_dir=data)
    evidence = b"meter reading 2026-11 " + uuid.uuid4().bytes
    with TestClient(create_app(node=node)) as client:
        supplier = register(client, "S", ["supplier"])
        uploaded = client.post(
            "/evidence", files={"file": ("m.txt", evidence, "text/plain")}, headers=supplier.auth
        )
        assert uploaded.status_code == 201, uploaded.text
        fid = client.post("/submissions", json=signed_activity(supplier)).json()["footprintId"]
        receipts = [
            wait_receipt(client, entry, supplier) for entry in (supplier.id, uploaded.json()["entryId"], fid)
        ]
        cid = uploaded.json()["cid"]
        contract = node.deployment.contract_address
        time.sleep(1.2)  # anvil's periodic state dump (every second) holds the anchors
        # online: the node keeps running while the backup is taken
        env = {"TANLIAN_DATA_DIR": str(data), **({"TANLIAN_DATABASE_URL": source_url} if source_url else {})}
        done = run("backup", "--out", str(backup), **env)
        assert done.returncode == 0, done.stdout + done.stderr
    node.stop()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert stat.S_IMODE((backup / "keys" / "chain-account.key").stat().st_mode) == 0o600
    shutil.rmtree(data)  # the original is gone

    env = {"TANLIAN_DATA_DIR": str(restored), **({"TANLIAN_DATABASE_URL": target_url} if target_url else {})}
    done = run("restore", str(backup), **env)
    assert done.returncode == 0, done.stdout + done.stderr
    node = make_node(database_url=target_url, data_dir=restored)
    assert node.deployment.contract_address == contract
    rpc = node.devnet.rpc_url
    for receipt in receipts:
        report = verify_receipt(receipt, rpc_url=rpc)
        assert report.ok, [c.as_dict() for c in report.checks if not c.ok]
    with TestClient(create_app(node=node)) as client:
        assert client.get(f"/evidence/{cid}", headers=supplier.auth).content == evidence
        again = wait_receipt(client, fid, supplier)
        assert again == receipts[2]
        # the restored node goes on logging and anchoring
        later = register(client, "later", ["buyer"])
        assert verify_receipt(wait_receipt(client, later.id, later), rpc_url=rpc).ok


def test_restore_refuses_a_changed_backup_and_a_used_directory(make_node, tmp_path):
    data, backup = tmp_path / "data", tmp_path / "backup"
    make_node(data_dir=data).stop()
    assert run("backup", "--out", str(backup), TANLIAN_DATA_DIR=str(data)).returncode == 0
    used = run("restore", str(backup), TANLIAN_DATA_DIR=str(data))
    assert used.returncode == 1 and "not empty" in used.stderr
    (backup / "keys" / "chain-account.key").write_text("tampered")
    changed = run("restore", str(backup), TANLIAN_DATA_DIR=str(tmp_path / "new"))
    assert changed.returncode == 1 and "changed since the backup" in changed.stderr
