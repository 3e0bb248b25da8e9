"""PACT v2.3 at /2/ and the v3 pcf: every document is validated against the official schemas and its ``pcf``
equals the engine's mapping of the stored result (footprint_engine.pact), with hand checks of the v2.3 rules
that once went wrong here: figures per ONE declared unit (t → per kg), pCfExcludingBiogenic without biogenic
CO2, DQRs on v2's 1–3 scale, packaging flagged, no empty productOrSectorSpecificRules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest import approx

from footprint_engine.calculate.result import FootprintResult
from footprint_engine.pact import to_pact_v3_pcf, to_pact_v23_pcf
from node_service.app import create_app
from node_service.db.models import Footprint
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import (
    Org,
    activity,
    pact_bearer,
    register,
    serve_example_identifiers,
    signed_activity,
)
from tests.pact_spec import V3, V23

BIOGENIC_CO2_T = 300.0  # t of biogenic CO2 added to the ingot's process emissions


def _submit(client: TestClient, org: Org, subject: dict[str, Any]) -> str:
    resp = client.post("/submissions", json=signed_activity(org, subject))
    assert resp.status_code == 201, resp.text
    footprint_id: str = resp.json()["footprintId"]
    return footprint_id


def _result(node: Any, footprint_id: str) -> FootprintResult:
    with node.db.transaction() as session:
        footprint = session.get(Footprint, footprint_id)
        assert footprint is not None
        return FootprintResult.model_validate(footprint.result["result"])


@pytest.fixture()
def exchange(make_node: Any, tmp_path: Any) -> Any:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        serve_example_identifiers(client)
        yield node, client


def test_v23_and_v3_documents_are_the_engine_mapping_and_valid(exchange: Any) -> None:
    node, client = exchange
    smelter = register(client, "Smelter", ["supplier"])
    buyer = register(client, "Die caster", ["supplier", "buyer"])
    ingot = activity(smelter.did)
    ingot["inputs"]["processEmissions"].append(
        {"id": "bio-co2", "gas": "CO2", "origin": "biogenic", "amount": BIOGENIC_CO2_T, "unit": "t"}
    )
    a1 = _submit(client, smelter, ingot)
    published = client.post(
        f"/pact/footprints/{a1}/publish", json={"shareWith": [buyer.did]}, headers=smelter.auth
    )
    assert published.status_code == 201, published.text
    headers = pact_bearer(client, buyer, "ERP")
    result = _result(node, a1)
    assert result.declared_unit == "t"

    # (1) v3: the engine's pcf, the whole response valid against the v3 OpenAPI
    got3 = client.get(f"/3/footprints/{a1}", headers=headers)
    assert got3.status_code == 200, got3.text
    V3.validate_response("/3/footprints/{id}", "get", 200, got3.json())
    assert got3.json()["data"]["pcf"] == to_pact_v3_pcf(result)

    # (2) v2.3: valid against the v2.3 schema, pcf = the engine's v2.3 mapping
    got2 = client.get(f"/2/footprints/{a1}", headers=headers)
    assert got2.status_code == 200, got2.text
    V23.validate_response("/2/footprints/{id}", "get", 200, got2.json())
    pf = got2.json()["data"]
    assert pf["specVersion"] == "2.3.0" and pf["id"] == a1 and pf["status"] == "Active"
    pcf = pf["pcf"]
    assert pcf == to_pact_v23_pcf(result)

    # (3) by hand: per kilogram (1 t = 1000 declared units of v2.3), biogenic CO2 out of pCfExcludingBiogenic
    e = result.emissions
    assert pcf["declaredUnit"] == "kilogram" and pcf["unitaryProductAmount"] == "1000"
    assert float(pcf["pCfIncludingBiogenic"]) == approx(e.total / 1000, rel=1e-5)
    biogenic_co2 = sum(g.kg_co2e for g in result.per_gas if g.gas == "CO2" and g.origin == "biogenic")
    assert biogenic_co2 > 0
    assert float(pcf["pCfExcludingBiogenic"]) == approx(
        (e.total_excluding_biogenic_removals - biogenic_co2) / 1000, rel=1e-5
    )
    assert float(pcf["fossilGhgEmissions"]) == approx((e.fossil + e.aircraft) / 1000, rel=1e-5)
    dqi = pcf["dqi"]
    assert set(dqi) == {
        "coveragePercent",
        "technologicalDQR",
        "temporalDQR",
        "geographicalDQR",
        "completenessDQR",
        "reliabilityDQR",
    }
    assert dqi["technologicalDQR"] == approx((result.dqi.technological + 1) / 2, abs=0.006)
    assert all(1 <= dqi[k] <= 3 for k in dqi if k != "coveragePercent")
    assert "productOrSectorSpecificRules" not in pcf
    # node fields: the receipt extension points at this host
    assert pf["extensions"][0]["data"]["receiptUrl"].endswith(f"/receipts/{a1}")

    # (4) ListFootprints v2.3: same documents; a deprecated version is served as Deprecated (cache by status)
    a2 = _submit(client, smelter, activity(smelter.did))
    second = client.post(
        f"/pact/footprints/{a2}/publish", json={"shareWith": [buyer.did]}, headers=smelter.auth
    )
    assert second.status_code == 201, second.text
    listed = client.get("/2/footprints", headers=headers)
    assert listed.status_code == 200, listed.text
    V23.validate_response("/2/footprints", "get", 200, listed.json())
    by_id = {p["id"]: p for p in listed.json()["data"]}
    assert by_id[a1]["status"] == "Deprecated" and by_id[a2]["precedingPfIds"] == [a1]
    assert by_id[a1]["pcf"] == pcf and by_id[a2]["pcf"] == to_pact_v23_pcf(_result(node, a2))
    page = client.get("/2/footprints", params={"limit": 1}, headers=headers)
    V23.validate_response("/2/footprints", "get", 200, page.json())
    assert len(page.json()["data"]) == 1 and 'rel="next"' in page.headers["link"]
    assert page.headers["link"].split(">")[0].startswith("<http://testserver/2/footprints?")

    # (5) v2.3 error codes
    missing = client.get("/2/footprints/3fa85f64-5717-4562-b3fc-2c963f66afa6", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "NoSuchFootprint"


def test_a_piece_needs_its_mass_and_v23_declares_it_per_kilogram(exchange: Any) -> None:
    node, client = exchange
    smelter = register(client, "Smelter", ["supplier"])
    buyer = register(client, "Motor maker", ["buyer"])
    subject = activity(smelter.did)
    subject["declaredUnit"] = "piece"  # 20 kg ingots
    subject["producedQuantity"] = {"amount": 100000 * 1000 / 20, "unit": "piece"}
    ingot = _submit(client, smelter, subject)
    assert _result(node, ingot).declared_unit == "piece"

    refused = client.post(
        f"/pact/footprints/{ingot}/publish", json={"shareWith": [buyer.did]}, headers=smelter.auth
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "productMassPerDeclaredUnit"

    body = {"shareWith": [buyer.did], "productMassPerDeclaredUnit": 20}
    ok = client.post(f"/pact/footprints/{ingot}/publish", json=body, headers=smelter.auth)
    assert ok.status_code == 201, ok.text  # the refusal stored nothing: this is the first publication
    headers = pact_bearer(client, buyer, "ERP")
    result = _result(node, ingot)
    v3 = client.get(f"/3/footprints/{ingot}", headers=headers).json()
    V3.validate_response("/3/footprints/{id}", "get", 200, v3)
    assert v3["data"]["pcf"] == to_pact_v3_pcf(result, product_mass_per_declared_unit_kg=20)
    assert v3["data"]["pcf"]["productMassPerDeclaredUnit"] == "20"
    v2 = client.get(f"/2/footprints/{ingot}", headers=headers).json()
    V23.validate_response("/2/footprints/{id}", "get", 200, v2)
    pcf = v2["data"]["pcf"]
    assert pcf == to_pact_v23_pcf(result, product_mass_per_declared_unit_kg=20)
    assert pcf["declaredUnit"] == "kilogram" and pcf["unitaryProductAmount"] == "20"
    assert float(pcf["pCfIncludingBiogenic"]) == approx(result.emissions.total / 20, rel=1e-5)


def test_a_v23_request_is_fulfilled_with_v23_documents(exchange: Any) -> None:
    """RequestCreated at /2/events → the supplier fulfils → the queued RequestFulfilled carries v2.3 documents."""
    import uuid

    from node_service.services.pact.models import PactOutbox

    node, client = exchange
    smelter = register(client, "Smelter", ["supplier"])
    buyer = register(client, "Buyer", ["buyer"])
    footprint = _submit(client, smelter, activity(smelter.did))
    published = client.post(f"/pact/footprints/{footprint}/publish", json={}, headers=smelter.auth)
    assert published.status_code == 201, published.text
    host = "https://buyer-host.invalid"
    registered = client.post(
        "/pact/remote-hosts",
        json={"baseUrl": host, "clientId": "c", "clientSecret": "s", "subscribePublished": False},
        headers=buyer.auth,
    )
    assert registered.status_code == 201, registered.text
    urn = published.json()["productFootprint"]["productIds"][0]
    event = {
        "type": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": host,
        "time": "2026-11-21T10:00:00Z",
        "data": {"pf": {"productIds": [urn]}, "comment": "v2.3 host asking"},
    }
    headers = {**pact_bearer(client, buyer, "ERP"), "content-type": "application/cloudevents+json"}
    accepted = client.post("/2/events", content=json.dumps(event), headers=headers)
    assert accepted.status_code == 200, accepted.text
    inbox = client.get("/pact/requests", params={"status": "pending"}, headers=smelter.auth).json()["data"]
    done = client.post(f"/pact/requests/{inbox[0]['id']}/fulfil", json={}, headers=smelter.auth)
    assert done.status_code == 200, done.text
    with node.db.transaction() as session:
        sent = (
            session.query(PactOutbox)
            .filter(PactOutbox.event["id"].as_string() == done.json()["eventId"])
            .one()
        )
        pfs = sent.event["data"]["pfs"]
        assert sent.spec_major == 2  # delivered to {host}/2/events
        V23.validate_schema("RequestFulfilledEvent", sent.event)
        assert sent.event["type"] == "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1"
    assert [pf["id"] for pf in pfs] == [footprint]
    V23.validate_schema("ProductFootprint", pfs[0])
    assert pfs[0]["specVersion"] == "2.3.0" and pfs[0]["pcf"] == to_pact_v23_pcf(_result(node, footprint))
