"""``tanlian resolve`` through Typer's CliRunner (and --node against a uvicorn-served node)."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from identifier_resolver import Resolver
from node_service.cli.resolve_cmds import register
from tests.identifier_resolver.helpers import OWNER_PREFIX, ServerThread, make_app, sample_store

app = typer.Typer()
register(app)


@app.command("noop", hidden=True)
def _noop() -> None:  # a second command keeps "resolve" a sub-command, as in the real app
    pass


runner = CliRunner()


def test_resolve_prints_normal_form_and_urn():
    result = runner.invoke(app, ["resolve", "4006381333931"])
    assert result.exit_code == 0
    assert "normalised: 04006381333931" in result.output
    assert "pactUrn: urn:gtin:04006381333931" in result.output


def test_resolve_json_for_uscc():
    result = runner.invoke(app, ["resolve", "91350100M000100Y43", "--json"])
    assert result.exit_code == 0
    body = json.loads(result.output)
    assert body["pactUrn"] == "urn:pact:creditchina.gov.cn:uscc:91350100M000100Y43"
    assert body["pactList"] == "companyIds" and body["divisionCode"] == "350100"


def test_resolve_refuses_bad_input_with_one_line_reason():
    result = runner.invoke(app, ["resolve", "4006381333932"])
    assert result.exit_code == 1
    assert "gtin-check-digit" in result.output and "want '1'" in result.output


def test_resolve_against_a_node(served):
    store = sample_store()
    node = ServerThread(make_app(store, Resolver(store, []))).start()
    served.append(node)
    handle = f"{OWNER_PREFIX}/battery-pack-01"
    result = runner.invoke(app, ["resolve", handle, "--node", node.url])
    assert result.exit_code == 0, result.output
    assert "kind: idis" in result.output and "value 4 GTIN: 09506000134352" in result.output
    result = runner.invoke(app, ["resolve", handle, "--node", node.url, "--type", "CN_CODE", "--json"])
    assert [v["type"] for v in json.loads(result.output)["values"]] == ["CN_CODE"]
    missing = runner.invoke(app, ["resolve", f"{OWNER_PREFIX}/nope", "--node", node.url])
    assert missing.exit_code == 1 and "handle not found" in missing.output
    not_handle = runner.invoke(app, ["resolve", "4006381333931", "--node", node.url])
    assert not_handle.exit_code == 1 and "handles only" in not_handle.output
