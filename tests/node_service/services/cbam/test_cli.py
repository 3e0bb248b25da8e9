"""`tanlian cbam communication` against a served node and offline from a file."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from node_service.app import create_app
from node_service.cli import cbam_cmds
from tests.node_service.helpers import register, wait_receipt
from tests.node_service.services.cbam.helpers import cement_document, engine_render, workbook_values

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    cbam_cmds.register(app)

    @app.callback()
    def main() -> None:  # a group, as in `tanlian`
        pass

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(make_node, tmp_path):
    """The node's app served over real HTTP on a free port."""
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(node=node), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_cli_fetches_from_a_served_node(served, tmp_path):
    with httpx.Client(base_url=served, timeout=30) as client:
        exporter = register(client, "Exporter", ["exporter"])
        document = cement_document()
        record = client.post("/cbam/installations", json=document, headers=exporter.auth).json()
        receipt = wait_receipt(client, record["entryId"], exporter)

    out = tmp_path / "comm.xlsx"
    args = ["cbam", "communication", "--installation", record["id"], "--period", "2026", "--node", served]
    result = runner.invoke(
        _app(),
        [*args, "--out", str(out), "--certificate-price", "80"],
        env={"TANLIAN_API_TOKEN": exporter.token},
    )
    assert result.exit_code == 0, result.output
    assert "1 receipt(s)" in result.output
    assert workbook_values(out.read_bytes()) == workbook_values(
        engine_render(document, fmt="xlsx", receipts=[receipt])
    )

    as_json = runner.invoke(_app(), [*args, "--format", "json", "--token", exporter.token])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["receipts"] == [receipt]

    # one-line errors, exit 1
    other_id = ["cbam", "communication", "--installation", "nope", "--period", "2026", "--node", served]
    for argv, env, words in (
        ([*args, "--format", "json"], {"TANLIAN_API_TOKEN": ""}, "no API token"),
        ([*args, "--format", "json", "--token", "wrong"], {}, "401"),
        ([*other_id, "--format", "json"], {"TANLIAN_API_TOKEN": exporter.token}, "404 no installation nope"),
    ):
        result = runner.invoke(_app(), argv, env=env)
        assert result.exit_code == 1, result.output
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    unreachable = runner.invoke(
        _app(),
        [
            "cbam",
            "communication",
            "--installation",
            "x",
            "--period",
            "2026",
            "--node",
            "http://127.0.0.1:9",
            "--token",
            "t",
        ],
    )
    assert unreachable.exit_code == 1 and "cannot reach" in unreachable.stderr


def test_cli_offline_from_a_file(tmp_path, monkeypatch):
    document = cement_document()
    path = tmp_path / "installation.json"
    path.write_text(json.dumps(document))
    monkeypatch.chdir(tmp_path)
    args = ["cbam", "communication", "--installation", str(path), "--period", "2026"]

    as_json = runner.invoke(_app(), [*args, "--format", "json", "--certificate-price", "80"])
    assert as_json.exit_code == 0, as_json.output
    assert as_json.stdout.encode() == engine_render(document, fmt="json", receipts=[])
    assert "no receipts" in as_json.stderr

    as_xlsx = runner.invoke(_app(), args)  # xlsx by default, written to a file named after the installation
    assert as_xlsx.exit_code == 0, as_xlsx.output
    written = tmp_path / "cbam-communication-CN-CEM-001-2026.xlsx"
    assert "no receipts" in as_xlsx.stdout and written.is_file()
    assert workbook_values(written.read_bytes()) == workbook_values(
        engine_render(document, fmt="xlsx", receipts=[], price=None)
    )

    bad = json.loads(json.dumps(document))
    bad["processes"][0]["goods"][0]["cn_code"] = "84713000"
    path.write_text(json.dumps(bad))
    result = runner.invoke(_app(), args)
    assert result.exit_code == 1
    assert "processes.0.goods.0.cn_code" in result.stderr and "not in CBAM scope" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    cited = json.loads(json.dumps(document))
    cited["processes"][1]["precursors"][0] = {
        "precursor_id": "bought",
        "cn_code": "2523100090",
        "mass_t": 1,
        "supplier_footprint_id": "fp-1",
    }
    path.write_text(json.dumps(cited))
    result = runner.invoke(_app(), args)
    assert result.exit_code == 1 and "cites footprint fp-1 on a node" in result.stderr

    path.write_text("{not json")
    result = runner.invoke(_app(), args)
    assert result.exit_code == 1 and "not a readable JSON file" in result.stderr
    missing = runner.invoke(
        _app(), ["cbam", "communication", "--installation", "nope.json", "--period", "2026"]
    )
    assert missing.exit_code == 1 and "no such file" in missing.stderr
