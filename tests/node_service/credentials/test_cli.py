"""CLI: keys generate, sign, verify-credential, through typer's CliRunner on a fresh app."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from node_service.cli.credentials_cmds import register
from node_service.credentials import didkey, eddsa_jcs_2022, vc

from . import independent_verifier as reference

ACTIVITY = {
    "productId": "88.101.1/ALU-INGOT-99.7",
    "reportingPeriod": {"start": "2025-01-01", "end": "2025-12-31"},
    "declaredUnit": "t",
    "producedQuantity": 1200,
}


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()

    @application.callback()
    def main() -> None:
        """tanlian (test app)."""

    register(application)
    return application


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _generate(app: typer.Typer, runner: CliRunner, out: Path, *extra: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, ["keys", "generate", "--out", str(out), *extra], input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_every_command_has_help(app: typer.Typer, runner: CliRunner):
    for command in (["keys", "generate"], ["sign"], ["verify-credential"], ["keys"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_generate_sign_verify_bare_activity_data(app: typer.Typer, runner: CliRunner, tmp_path: Path):
    key = tmp_path / "key.json"
    did = _generate(app, runner, key)
    assert did.startswith("did:key:z6Mk") and stat.S_IMODE(key.stat().st_mode) == 0o600
    doc = tmp_path / "activity.json"
    doc.write_text(json.dumps(ACTIVITY))
    signed_result = runner.invoke(app, ["sign", "--key", str(key), str(doc)])
    assert signed_result.exit_code == 0, signed_result.output
    signed: dict[str, Any] = json.loads(signed_result.stdout)
    assert signed["issuer"] == did and signed["credentialSubject"] == ACTIVITY
    assert signed["type"] == ["VerifiableCredential", "ActivityDataCredential"]
    assert reference.verify(signed)  # independent verifier written from the spec
    signed_file = tmp_path / "signed.json"
    signed_file.write_text(signed_result.stdout)
    result = runner.invoke(app, ["verify-credential", str(signed_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: urn:uuid:") and did in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


def test_tampered_credential_exits_1_with_one_line_reason(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
):
    key = tmp_path / "key.json"
    _generate(app, runner, key)
    doc = tmp_path / "activity.json"
    doc.write_text(json.dumps(ACTIVITY))
    signed = json.loads(runner.invoke(app, ["sign", "--key", str(key), str(doc)]).stdout)
    signed["credentialSubject"]["producedQuantity"] = 1100
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(signed))
    result = runner.invoke(app, ["verify-credential", str(tampered)])
    assert result.exit_code == 1
    assert "signature does not verify" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    not_json = tmp_path / "garbage.json"
    not_json.write_text("{")
    result = runner.invoke(app, ["verify-credential", str(not_json)])
    assert result.exit_code == 1 and "not valid JSON" in result.stderr


def test_sign_unsigned_vc_from_stdin_with_encrypted_key(app: typer.Typer, runner: CliRunner, tmp_path: Path):
    key, password = tmp_path / "key.json", tmp_path / "password.txt"
    password.write_text("s3cret passphrase\n")
    did = _generate(app, runner, key, "--password-file", str(password))
    assert json.loads(key.read_text())["privateKey"]["encryption"] is not None
    credential = vc.build_credential(ACTIVITY, did)
    args = ["sign", "--key", str(key), "--password-file", str(password), "-"]
    result = runner.invoke(app, args, input=json.dumps(credential))
    assert result.exit_code == 0, result.output
    signed = json.loads(result.stdout)
    assert {k: v for k, v in signed.items() if k != "proof"} == credential
    assert vc.verify_credential(signed).issuer == did
    # typed at the prompt instead
    result = runner.invoke(app, ["sign", "--key", str(key), "-"], input=json.dumps(ACTIVITY))
    assert result.exit_code == 1 and "--password-file" in result.stderr
    doc = tmp_path / "activity.json"
    doc.write_text(json.dumps(ACTIVITY))
    result = runner.invoke(app, ["sign", "--key", str(key), str(doc)], input="s3cret passphrase\n")
    assert result.exit_code == 0, result.output
    assert vc.verify_credential(json.loads(result.stdout)).issuer == did
    # wrong password
    password.write_text("nope\n")
    result = runner.invoke(app, args, input=json.dumps(credential))
    assert result.exit_code == 1 and "wrong password" in result.stderr


def test_generate_with_prompted_password(app: typer.Typer, runner: CliRunner, tmp_path: Path):
    key = tmp_path / "key.json"
    _generate(app, runner, key, "--encrypt", stdin="pw-1234\npw-1234\n")
    assert json.loads(key.read_text())["privateKey"]["encryption"]["kdf"]["iterations"] >= 600_000


def test_refusals(app: typer.Typer, runner: CliRunner, tmp_path: Path):
    key = tmp_path / "key.json"
    _generate(app, runner, key)
    result = runner.invoke(app, ["keys", "generate", "--out", str(key)])
    assert result.exit_code == 1 and "already exists" in result.stderr
    password = tmp_path / "pw"
    password.write_text("x")
    result = runner.invoke(
        app,
        ["keys", "generate", "--out", str(tmp_path / "k2"), "--password-file", str(password), "--encrypt"],
    )
    assert result.exit_code == 1 and "conflicting" in result.stderr
    other = Ed25519PrivateKey.generate()
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(vc.build_credential(ACTIVITY, didkey.did_key(other))))
    result = runner.invoke(app, ["sign", "--key", str(key), str(foreign)])
    assert result.exit_code == 1 and "issuer is not the signing key's did" in result.stderr


def test_public_key_option_for_non_did_key_methods(app: typer.Typer, runner: CliRunner, tmp_path: Path):
    issuer_key = Ed25519PrivateKey.generate()
    credential = vc.build_credential(ACTIVITY, "https://supplier.example/issuers/1")
    signed = eddsa_jcs_2022.sign(credential, issuer_key, "https://supplier.example/issuers/1#key-1")
    path = tmp_path / "signed.json"
    path.write_text(json.dumps(signed))
    result = runner.invoke(app, ["verify-credential", str(path)])
    assert result.exit_code == 1 and "--public-key" in result.stderr
    multibase = didkey.public_key_multibase(issuer_key)
    result = runner.invoke(app, ["verify-credential", str(path), "--public-key", multibase])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["verify-credential", str(path), "--public-key", "z6Mk0"])
    assert result.exit_code == 1 and "--public-key" in result.stderr


def test_register_into_an_existing_keys_group(runner: CliRunner, tmp_path: Path):
    application, keys = typer.Typer(), typer.Typer()
    application.add_typer(keys, name="keys")
    register(application, keys=keys)
    result = runner.invoke(application, ["keys", "generate", "--out", str(tmp_path / "k.json")])
    assert result.exit_code == 0 and result.stdout.startswith("did:key:")


def test_verify_credential_made_by_another_implementation(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
):
    from .conftest import load_vector

    data = load_vector("eddsa-jcs-2022-repo-https-method.json")
    path = tmp_path / "w3c.json"
    path.write_text(json.dumps(data["signedDocument"], indent=2))
    result = runner.invoke(app, ["verify-credential", str(path), "--public-key", data["publicKeyMultibase"]])
    assert result.exit_code == 0, result.output
    assert "issued by https://vc.example/issuers/5678" in result.stdout
