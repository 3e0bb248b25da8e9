"""``tanlian submit``: evidence uploaded first, then the credential; refusals exit 1 with the problem."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from node_service.app import create_app
from node_service.cli.main import app
from tests.identifier_resolver.helpers import ServerThread
from tests.node_service.helpers import activity
from tests.node_service.services.organisations.helpers import register, signed_activity


@pytest.fixture
def served(node):
    server = ServerThread(create_app(node=node)).start()
    yield server
    server.stop()


@pytest.mark.usefixtures("example_identifiers")
def test_submit_with_evidence(client, served, tmp_path):
    from node_service.evidence.unixfs import cid_of_file  # the CID the node will compute

    org = register(client, "S")
    meter = tmp_path / "meter.csv"
    meter.write_bytes(b"month,MWh\n2024-01,112500\n")
    subject = activity(org.did)
    subject["inputs"]["electricity"][0]["evidence"] = [cid_of_file(meter).cid]
    signed = tmp_path / "signed.json"
    signed.write_text(json.dumps(signed_activity(org, subject=subject)))
    runner = CliRunner()
    result = runner.invoke(
        app, ["submit", str(signed), "--evidence", str(meter), "--node", served.url, "--token", org.token]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["submission"]["status"] == "accepted" and not out["replayed"]
    assert out["evidence"][0]["cid"] == cid_of_file(meter).cid
    again = runner.invoke(app, ["submit", str(signed), "--node", served.url])
    assert again.exit_code == 0 and json.loads(again.stdout)["replayed"]


def test_submit_refusals_exit_1_with_the_reason(client, served, tmp_path):
    org = register(client, "S")
    subject = activity(org.did)
    subject["producedQuantity"]["unit"] = "kWh"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(signed_activity(org, subject=subject)))
    runner = CliRunner()
    result = runner.invoke(app, ["submit", str(bad), "--node", served.url])
    assert result.exit_code == 1
    assert "credentialSubject.producedQuantity.unit" in result.stderr
    result = runner.invoke(app, ["submit", str(bad), "--node", served.url, "--evidence", str(bad)])
    assert result.exit_code == 1 and "API token" in result.stderr
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps({"a": 1}))
    result = runner.invoke(app, ["submit", str(unsigned), "--node", served.url])
    assert result.exit_code == 1 and "no proof" in result.stderr
