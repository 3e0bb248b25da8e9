"""The dry run (POST /submissions/check): every check of the submission path that needs no signature, on unsigned
activity data, reporting all problems with their fields — and storing nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.app import create_app
from node_service.credentials.vc import build_credential
from node_service.db.models import Footprint, LogEntry, Submission
from node_service.services.evidence_files.models import GecClaimRecord
from tests.node_service.helpers import Org, activity, register, signed_activity

CHECK = "/submissions/check"
SUBJECT = "credentialSubject"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from node_service.runtime import Node
    from node_service.settings import Settings

    tmp = tmp_path_factory.mktemp("dry-run")
    node = Node(Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'db.sqlite'}")).start()
    try:
        with TestClient(create_app(node=node)) as client:
            org = register(client, "Dry-run smelter", ["supplier"])
            yield client, node, org
    finally:
        node.stop()


def _counts(node: Any) -> tuple[int, ...]:
    with node.db.transaction() as session:
        return tuple(
            session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Submission, Footprint, LogEntry, GecClaimRecord)
        )


def _check(client: TestClient, org: Org, document: dict[str, Any]) -> dict[str, Any]:
    resp = client.post(CHECK, json=document, headers=org.auth)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert body["ok"] is (not body["problems"])
    return body


def _by_field(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["field"]: p for p in body["problems"]}


def test_a_clean_document_is_ok_with_a_preview_and_nothing_is_stored(world: Any) -> None:
    client, node, org = world
    before = _counts(node)
    subject = activity(org.did)
    body = _check(client, org, subject)
    assert body["ok"], body["problems"]
    assert body["engineChecked"] is True
    preview = body["preview"]
    assert preview["totalKgCO2ePerDeclaredUnit"] > 0
    assert preview["declaredUnit"] == "t"
    ids = {f["id"] for f in preview["factors"]}
    assert "material/alumina/GLO/2022" in ids or any(i.startswith("material/") for i in ids), ids
    # the unsigned credential gives the same answer; a signed submission of it computes the same total
    credential = build_credential(subject, org.did)
    assert _check(client, org, credential)["preview"] == preview
    assert _counts(node) == before, "the dry run stored something"
    stored = client.post("/submissions", json=signed_activity(org, subject))
    assert stored.status_code == 201, stored.text
    footprint = client.get(f"/footprints/{stored.json()['footprintId']}", headers=org.auth).json()
    total = footprint["document"]["result"]["emissions"]["total"]
    assert total == pytest.approx(preview["totalKgCO2ePerDeclaredUnit"], rel=1e-12)


def test_an_illustrative_factor_is_a_warning_naming_its_input(world: Any) -> None:
    """The example's aluminium fluoride has no published factor (material/aluminium-fluoride/GLO/2022 is
    illustrative): the document is acceptable, but the dry run says which input would carry the flag."""
    client, _, org = world
    subject = activity(org.did)
    assert subject["inputs"]["materials"][2]["factorId"] == "material/aluminium-fluoride/GLO/2022"
    body = _check(client, org, subject)
    assert body["ok"], body["problems"]
    warned = {w["field"]: w for w in body["warnings"] if w["code"] == "illustrative-factor"}
    assert f"{SUBJECT}.inputs.materials[2]" in warned, body["warnings"]
    assert warned[f"{SUBJECT}.inputs.materials[2]"]["params"] == {
        "factorId": "material/aluminium-fluoride/GLO/2022"
    }
    assert "tanlian factors search" in warned[f"{SUBJECT}.inputs.materials[2]"]["fix"]
    # a published factor instead: no warning for that input
    subject["inputs"]["materials"][2]["factorId"] = "material/alumina/CN/2021"
    body = _check(client, org, subject)
    assert f"{SUBJECT}.inputs.materials[2]" not in {w["field"] for w in body["warnings"]}


def test_unknown_factor_unit_mismatch_and_unknown_geography_are_all_reported(world: Any) -> None:
    client, node, org = world
    before = _counts(node)
    subject = activity(org.did)
    materials = subject["inputs"]["materials"]
    materials[0]["factorId"] = "material/unobtainium/CN/2099"
    materials[1]["unit"] = "kWh"  # an energy: a valid material unit, not convertible to the factor's mass
    subject["inputs"]["electricity"][0]["gridRegion"] = "CN-Yunnan"
    body = _check(client, org, subject)
    found = _by_field(body)
    assert not body["ok"] and body["engineChecked"] is False and body["preview"] is None
    unknown = found[f"{SUBJECT}.inputs.materials[0].factorId"]
    assert unknown["code"] == "unknown-factor"
    assert unknown["params"] == {"factorId": "material/unobtainium/CN/2099"}
    assert "tanlian factors search" in unknown["fix"]
    mismatch = found[f"{SUBJECT}.inputs.materials[1].unit"]
    assert mismatch["code"] == "unit-mismatch"
    assert mismatch["params"]["unit"] == "kWh" and mismatch["params"]["factorUnit"] in ("t", "kg")
    geography = found[f"{SUBJECT}.inputs.electricity[0].gridRegion"]
    assert geography["code"] == "unknown-geography" and geography["params"]["value"] == "CN-Yunnan"
    assert len(body["problems"]) == 3, body["problems"]
    assert _counts(node) == before


def test_every_schema_error_at_once(world: Any) -> None:
    client, _node, org = world
    subject = activity(org.did)
    subject["inputs"]["materials"][0]["amount"] = "lots"
    del subject["site"]["name"]
    subject["inputs"]["fuels"][0]["colour"] = "blue"
    body = _check(client, org, subject)
    found = _by_field(body)
    assert set(found) == {
        f"{SUBJECT}.inputs.materials[0].amount",
        f"{SUBJECT}.site.name",
        f"{SUBJECT}.inputs.fuels[0].colour",
    }, found
    assert {p["code"] for p in body["problems"]} == {"schema"}
    assert found[f"{SUBJECT}.site.name"]["params"]["rule"] == "missing"
    assert found[f"{SUBJECT}.inputs.materials[0].amount"]["params"]["value"] == "lots"


def test_engine_rules_inside_the_schema_name_their_field(world: Any) -> None:
    client, _node, org = world
    subject = activity(org.did)
    subject["inputs"]["materials"][1]["unit"] = "吨"
    subject["inputs"]["transport"][0]["distance"]["unit"] = "kg"
    found = _by_field(_check(client, org, subject))
    assert found[f"{SUBJECT}.inputs.materials[1].unit"]["code"] == "unit-invalid"
    assert found[f"{SUBJECT}.inputs.transport[0].distance.unit"]["code"] == "unit-invalid"


def test_identifiers_issuer_and_other_organisations(world: Any) -> None:
    client, _node, org = world
    subject = activity(org.did)
    subject["inputs"]["materials"][0]["identifier"] = "not an identifier"
    subject["inputs"]["materials"][1]["identifier"] = "88.118.5/NO-SUCH-RECORD"
    credential = build_credential(subject, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    found = _by_field(_check(client, org, credential))
    assert found["issuer"]["code"] == "issuer-not-you"
    assert found[f"{SUBJECT}.inputs.materials[0].identifier"]["code"] == "invalid-identifier"
    assert found[f"{SUBJECT}.inputs.materials[1].identifier"]["code"] == "unresolvable-identifier"
    other = register(client, "Somebody else", ["supplier"], delegated=False)
    found = _by_field(_check(client, other, activity(org.did)))
    assert found[f"{SUBJECT}.organisation.id"]["code"] == "organisation-not-you"
    assert found[f"{SUBJECT}.productIdentifier"]["code"] == "product-not-yours"


def test_a_taken_serial_and_a_taken_id_are_found_before_signing(world: Any) -> None:
    client, _node, org = world
    subject = activity(org.did)
    signed = signed_activity(org, subject)
    assert client.post("/submissions", json=signed).status_code == 201
    again = copy.deepcopy(signed)
    del again["proof"]
    found = _by_field(_check(client, org, again))
    assert found["id"]["code"] == "credential-id-taken"
    claims = [f"{SUBJECT}.inputs.electricity[0].greenPowerClaims[{i}].serial" for i in (0, 1)]
    other = register(client, "Second smelter", ["supplier"])
    found = _by_field(
        _check(
            client,
            other,
            activity(
                other.did,
                gec_serials=tuple(
                    c["serial"] for c in subject["inputs"]["electricity"][0]["greenPowerClaims"]
                ),
            ),
        )
    )
    assert {found[c]["code"] for c in claims} == {"gec-serial-claimed"}


def test_refused_without_credentials_and_for_non_objects(world: Any) -> None:
    client, _node, org = world
    assert client.post(CHECK, json=activity(org.did)).status_code == 401
    resp = client.post(CHECK, json=[1, 2], headers=org.auth)
    assert resp.status_code == 422


# --- tanlian submit FILE --check ----------------------------------------------------------------------------


def _cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from node_service.cli.main import app

    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_cli_check_exit_codes(world: Any, tmp_path: Any) -> None:
    import json

    from tests.identifier_resolver.helpers import ServerThread

    client, node, org = world
    server = ServerThread(client.app).start()
    try:
        good = tmp_path / "activity.json"
        good.write_text(json.dumps(build_credential(activity(org.did), org.did)))
        result = _cli("submit", str(good), "--check", "--node", server.url, "--token", org.token)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("ok: ") and "kgCO2e per t" in result.stdout
        # the example's illustrative aluminium fluoride is a warning on stderr, not a problem
        assert "[illustrative-factor]" in result.stderr and "inputs.materials[2]" in result.stderr
        subject = activity(org.did)
        subject["inputs"]["materials"][2]["factorId"] = "material/nothing-like-it/CN/2024"
        subject["site"]["gridRegion"] = "Yunnan"
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(subject))
        before = _counts(node)
        result = _cli("submit", str(bad), "--check", "--node", server.url, "--token", org.token)
        assert result.exit_code == 1, result.output
        lines = [line for line in result.stdout.splitlines() if line]
        assert len(lines) == 2, lines
        assert lines[0].startswith(f"{SUBJECT}.site.gridRegion: [unknown-geography]")
        assert lines[1].startswith(f"{SUBJECT}.inputs.materials[2].factorId: [unknown-factor]")
        assert _counts(node) == before
        # no token: a one-line reason, exit 1, nothing sent
        result = _cli("submit", str(good), "--check", "--node", server.url)
        assert result.exit_code == 1 and "--token" in result.output
    finally:
        server.stop()
