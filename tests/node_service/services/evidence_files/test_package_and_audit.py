"""Verification packages (API and CLI) and `tanlian log audit` (from a node and from its database)."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
from sqlalchemy import update
from typer.testing import CliRunner

from node_service.cli.main import app as cli
from node_service.db.models import Anchor
from node_service.verification.package import verify_package
from tests.node_service.chain.support import wait_all_anchored
from tests.node_service.helpers import activity, register, signed_activity
from tests.node_service.services.evidence_files.server import served

runner = CliRunner()


def _setup(node, client):
    supplier = register(client, "Supplier", ["supplier"])
    buyer = register(client, "Buyer", ["buyer"])
    stranger = register(client, "Stranger", ["buyer"])
    data = b"%PDF-1.7 invoice for 1,350,000 MWh\n" * 100
    cid = client.post(
        "/evidence", files={"file": ("invoice.pdf", data, "application/pdf")}, headers=supplier.auth
    )
    cid = cid.json()["cid"]
    subject = activity(supplier.did)
    subject["inputs"]["electricity"][0]["evidence"] = [cid]
    credential = signed_activity(supplier, subject)
    footprint_id = client.post("/submissions", json=credential).json()["footprintId"]  # claims its 2 GECs
    client.post(f"/footprints/{footprint_id}/shares", json={"organisation": buyer.did}, headers=supplier.auth)
    return supplier, buyer, stranger, footprint_id, cid, data


def test_package_api_cli_and_log_audit(make_node, tmp_path):
    node = make_node(None)
    rpc = node.devnet.rpc_url
    with served(node) as url, httpx.Client(base_url=url, timeout=120) as client:
        _supplier, buyer, stranger, footprint_id, cid, data = _setup(node, client)
        wait_all_anchored(client, rpc)

        resp = client.get(f"/footprints/{footprint_id}/verification-package", headers=buyer.auth)
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"] == "application/zip"
        zf = zipfile.ZipFile(io.BytesIO(resp.content))
        names = set(zf.namelist())
        assert {"manifest.json", "footprint.json", "submissions/1.json", "report.md"} <= names
        assert zf.read(f"evidence/{cid}/invoice.pdf") == data  # the buyer may see the cited file
        manifest = json.loads(zf.read("manifest.json"))
        kinds = sorted(i["kind"] for i in manifest["items"])
        assert kinds == ["evidence", "footprint", "gec-claim", "gec-claim", "submission"]
        report_md = zf.read("report.md").decode()
        assert "all checks passed" in report_md and "| on-chain-head | PASS |" in report_md
        assert (
            client.get(f"/footprints/{footprint_id}/verification-package", headers=stranger.auth).status_code
            == 404
        )

        # the CLI downloads it and re-runs every check here
        out = tmp_path / "package.zip"
        done = runner.invoke(
            cli, ["audit", "package", footprint_id, "--node", url, "--out", str(out), "--token", buyer.token]
        )
        assert done.exit_code == 0, done.output
        assert "every check passed" in done.output and out.is_file()

        # a tampered evidence file in the package is caught
        tampered = tmp_path / "tampered.zip"
        with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
            for member in src.namelist():
                body = src.read(member)
                dst.writestr(
                    member,
                    body.replace(b"1,350,000", b"9,350,000") if member.startswith("evidence/") else body,
                )
        report = verify_package(tampered, rpc_url=rpc)
        failed = {(item.split()[0], c.name) for item, checks in report.results for c in checks if not c.ok}
        assert not report.ok and ("evidence", "content") in failed and ("evidence", "cid") in failed

        # log audit from the node's public API: make sure there are two heads, so a consistency proof is checked
        # (everything above may have landed in one anchoring batch)
        from tests.node_service.helpers import register

        register(client, "Late organisation", ["buyer"])
        heads, _ = wait_all_anchored(client, rpc)
        assert len(heads["heads"]) >= 2
        audited = runner.invoke(cli, ["log", "audit", "--node", url])
        assert audited.exit_code == 0, audited.output
        assert "PASS  consistency" in audited.output and "PASS  events" in audited.output

    # and from its database; then a head whose root was changed in the database is a divergence
    db_url = node.settings.sqlalchemy_url
    assert runner.invoke(cli, ["log", "audit", "--database-url", db_url, "--rpc", rpc]).exit_code == 0
    with node.db.transaction() as session:
        first = session.query(Anchor).order_by(Anchor.tree_size).first()
        session.execute(update(Anchor).where(Anchor.id == first.id).values(root_hash="ab" * 32))
    bad = runner.invoke(cli, ["log", "audit", "--database-url", db_url, "--rpc", rpc])
    assert bad.exit_code == 1
    assert "FAIL  views" in bad.output and "FAIL  events" in bad.output and "divergence" in bad.output
    assert runner.invoke(cli, ["log", "audit"]).exit_code == 1  # neither source given


def test_package_waits_for_anchoring_and_consistency_route_checks_sizes(make_node):
    node = make_node(None, anchor_interval_seconds=3600)
    with served(node) as url, httpx.Client(base_url=url, timeout=120) as client:
        supplier = register(client, "Supplier", ["supplier"])
        footprint_id = client.post("/submissions", json=signed_activity(supplier)).json()["footprintId"]
        early = client.get(f"/footprints/{footprint_id}/verification-package", headers=supplier.auth)
        assert early.status_code == 409 and early.headers["retry-after"]
        assert not list((node.settings.resolved_data_dir / "packages").iterdir())  # nothing left behind
        bad = client.get("/log/consistency", params={"from": 0, "to": 5})
        assert bad.status_code == 422 and bad.json()["field"] == "to"
        assert client.get("/log/consistency", params={"from": -1, "to": 0}).status_code == 422


def test_a_chain_only_ahead_of_the_log_is_told_apart_from_a_divergence():
    """`tanlian log audit` reads the node's heads again when the chain is merely ahead (a head being recorded)."""
    from node_service.operator.log_audit import EVENTS_AHEAD, chain_only_ahead
    from node_service.verification.receipt import Report

    def report(*failed: str) -> Report:
        r = Report()
        r.add("heads", True, "")
        for name in failed:
            r.add(name, False, "")
        return r

    assert chain_only_ahead(report("latest", EVENTS_AHEAD))
    assert not chain_only_ahead(report("latest", "events"))  # heads differ: a divergence
    assert not chain_only_ahead(report("views", EVENTS_AHEAD))
    assert not chain_only_ahead(report())
