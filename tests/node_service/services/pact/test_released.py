"""PACT as released (v3.0.3, v2.3.3) where this node once followed a pre-release draft or was too strict — each
case is one WBCSD's conformance suite failed on: callbacks to the version the request came in, the released event
types, ProductFootprint ids as UUIDs in Published events, a lenient and case-insensitive ``status`` filter; the
operator's allow-list of remote hosts; and footprints published in the draft's shape, served in the released one
with their receipts still verifying."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from footprint_engine.calculate.result import FootprintResult
from footprint_engine.pact import to_pact_v3_pcf
from node_service.app import create_app
from node_service.db.models import Footprint
from node_service.services.pact.mapping import DRAFT_PCF_NAMES
from node_service.services.pact.models import PactFootprint
from node_service.services.pact.settings import PactSettings
from node_service.verification import verify_receipt
from tests.node_service.helpers import Org, activity, pact_bearer, register, signed_activity, wait_receipt
from tests.node_service.services.pact.servers import RequesterHost, serve
from tests.pact_spec import V3, V23

CREATED = {
    3: "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
    2: "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
}
FULFILLED = {
    3: "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
    2: "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
}
REJECTED = {
    3: "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
    2: "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1",
}
PUBLISHED = {
    3: "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
    2: "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
}
SPECS = {3: V3, 2: V23}


def _submit(client: TestClient, org: Org, period: tuple[str, str] = ("2025-01-01", "2025-12-31")) -> str:
    subject = activity(org.did, reportingPeriod={"start": period[0], "end": period[1]})
    for line in subject["inputs"].get("electricity", []):
        line.pop("greenPowerClaims", None)  # a GEC serial is claimed once on the exchange
    resp = client.post("/submissions", json=signed_activity(org, subject))
    assert resp.status_code == 201, resp.text
    footprint_id: str = resp.json()["footprintId"]
    return footprint_id


def _event(major: int, source: str, data: dict[str, Any], kind: dict[int, str] = CREATED) -> dict[str, Any]:
    return {
        "type": kind[major],
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": "2026-12-07T10:00:00Z",
        "data": data,
    }


def _post_event(client: TestClient, headers: dict[str, str], major: int, event: Any) -> Any:
    return client.post(
        f"/{major}/events",
        content=json.dumps(event),
        headers={**headers, "content-type": "application/cloudevents+json; charset=UTF-8"},
    )


def _app(node: Any, **settings: Any) -> Any:
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True, **settings)
    return app


@pytest.fixture()
def node(make_node: Any, tmp_path: Any) -> Any:
    return make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.mark.parametrize("major", [3, 2])
def test_answers_go_to_the_version_the_request_came_in(node: Any, major: int) -> None:
    """v2.3 tests 13/14.B, v3 test 13: RequestFulfilled and RequestRejected go to ``{host}/{major}/events`` with
    that version's event type and documents, all valid against that version's released schema."""
    requester = RequesterHost()
    app = create_app(node=node)
    with serve(requester.app) as requester_base:
        app.state.pact_settings = PactSettings(allow_http=True, remote_allowlist=requester_base)
        with TestClient(app) as client:
            supplier = register(client, "Supplier", ["supplier"])
            buyer = register(client, "Buyer", ["buyer"])
            footprint = _submit(client, supplier)
            published = client.post(f"/pact/footprints/{footprint}/publish", json={}, headers=supplier.auth)
            assert published.status_code == 201, published.text
            urn = published.json()["productFootprint"]["productIds"][0]
            registered = client.post(
                "/pact/remote-hosts",
                json={
                    "baseUrl": requester_base,
                    "clientId": requester.client_id,
                    "clientSecret": requester.client_secret,
                    "subscribePublished": False,
                },
                headers=buyer.auth,
            )
            assert registered.status_code == 201, registered.text
            headers = pact_bearer(client, buyer)
            data = {"productId": [urn]} if major == 3 else {"pf": {"productIds": [urn]}}
            asked = _event(major, requester_base, data)
            SPECS[major].validate_schema("RequestCreatedEvent", asked)
            accepted = _post_event(client, headers, major, asked)
            assert accepted.status_code == 200, accepted.text
            SPECS[major].validate_response(
                f"/{major}/events", "post", 200, accepted.json() if major == 2 else None
            )
            inbox = client.get("/pact/requests", params={"status": "pending"}, headers=supplier.auth).json()
            done = client.post(
                f"/pact/requests/{inbox['data'][0]['id']}/fulfil", json={}, headers=supplier.auth
            )
            assert done.status_code == 200, done.text
            nobody = (
                {"productId": ["urn:pact:null"]} if major == 3 else {"pf": {"productIds": ["urn:pact:null"]}}
            )
            assert (
                _post_event(client, headers, major, _event(major, requester_base, nobody)).status_code == 200
            )
            events = requester.wait_events(2)
    assert requester.paths == [f"/{major}/events"] * 2
    fulfilled, rejected = sorted(events, key=lambda e: e["type"] != FULFILLED[major])
    assert fulfilled["type"] == FULFILLED[major] and rejected["type"] == REJECTED[major]
    SPECS[major].validate_schema("RequestFulfilledEvent", fulfilled)
    SPECS[major].validate_schema("RequestRejectedEvent", rejected)
    assert fulfilled["data"]["requestEventId"] == asked["id"]
    assert [pf["id"] for pf in fulfilled["data"]["pfs"]] == [footprint]
    assert fulfilled["data"]["pfs"][0]["specVersion"] == ("3.0.0" if major == 3 else "2.3.0")
    assert rejected["data"]["error"]["code"] == "NotFound"


@pytest.mark.parametrize("major", [3, 2])
def test_published_events_need_uuid_ids(node: Any, major: int) -> None:
    """v3 test 40, v2.3 test 21: ``pfIds`` are ProductFootprint ids, UUIDs; anything else is a 400."""
    with TestClient(_app(node)) as client:
        buyer = register(client, "Buyer", ["buyer"])
        headers = pact_bearer(client, buyer)
        good = _event(major, "https://host.example", {"pfIds": [str(uuid.uuid4())]}, PUBLISHED)
        SPECS[major].validate_schema("PublishedEvent", good)
        assert _post_event(client, headers, major, good).status_code == 200
        for bad_ids in (
            ["urn:gtin:4712345060507"],
            [str(uuid.uuid4()).replace("-", "")],
            [str(uuid.uuid4()), "x"],
        ):
            bad = _event(major, "https://host.example", {"pfIds": bad_ids}, PUBLISHED)
            refused = _post_event(client, headers, major, bad)
            assert refused.status_code == 400, refused.text
            assert refused.json()["code"] == "BadRequest" and "pfIds" in refused.json()["message"]
            SPECS[major].validate_response(f"/{major}/events", "post", 400, refused.json())


def test_status_filter_is_case_insensitive_and_lenient(node: Any) -> None:
    """v3 test 37: an unknown status is no error but matches nothing; ``active`` is ``Active``."""
    with TestClient(_app(node)) as client:
        supplier = register(client, "Supplier", ["supplier"])
        footprint = _submit(client, supplier)
        assert (
            client.post(f"/pact/footprints/{footprint}/publish", json={}, headers=supplier.auth).status_code
            == 201
        )
        headers = pact_bearer(client, supplier)
        for value, expected in (
            ("Active", [footprint]),
            ("active", [footprint]),
            ("DEPRECATED", []),
            ("BogusStatus", []),
        ):
            listed = client.get("/3/footprints", params={"status": value}, headers=headers)
            assert listed.status_code == 200, listed.text
            V3.validate_response("/3/footprints", "get", 200, listed.json())
            assert [pf["id"] for pf in listed.json()["data"]] == expected, value


def test_remote_hosts_are_https_unless_the_operator_allows_them(node: Any) -> None:
    """A plain-HTTP remote host is refused with the field and the fix named; the operator's allow-list (origins)
    lets exactly the listed origin through."""
    with TestClient(_app(node)) as client:
        buyer = register(client, "Buyer", ["buyer"])

    def add(client: TestClient, url: str) -> Any:
        return client.post(
            "/pact/remote-hosts",
            json={"baseUrl": url, "clientId": "c", "clientSecret": "s", "subscribePublished": False},
            headers=buyer.auth,
        )

    with TestClient(_app(node)) as client:
        refused = add(client, "http://127.0.0.1:8765")
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert "baseUrl" in json.dumps(problem) and "TANLIAN_PACT_REMOTE_ALLOWLIST" in json.dumps(problem)
        assert add(client, "https://user:pw@host.example").status_code == 422
        assert add(client, "https://host.example/pact").status_code == 201
    with TestClient(_app(node, remote_allowlist="http://127.0.0.1:8765")) as client:
        assert add(client, "http://127.0.0.1:8765").status_code == 201
        assert add(client, "http://127.0.0.1:8766").status_code == 422
    with pytest.raises(ValueError, match="not an origin"):
        PactSettings(remote_allowlist="127.0.0.1:8765")


def _as_draft(document: dict[str, Any]) -> dict[str, Any]:
    """A v3 document as this node published it before following the released schema."""
    draft = json.loads(json.dumps(document))
    draft["version"] = 1
    for draft_name, released in DRAFT_PCF_NAMES.items():
        if released in draft["pcf"]:
            draft["pcf"][draft_name] = draft["pcf"].pop(released)
    return draft


def test_draft_shaped_documents_are_served_in_the_released_shape(node: Any) -> None:
    """A footprint published before the change (its stored document in the draft's names) serves as v3.0 and
    v2.3 documents valid against the released schemas; its pcf, rendered again from the stored engine result,
    carries the same figures as the stored draft; the stored document is left as it was; its receipt verifies."""
    with TestClient(_app(node)) as client:
        supplier = register(client, "Supplier", ["supplier"])
        old, new = _submit(client, supplier, ("2024-01-01", "2024-12-31")), _submit(client, supplier)
        for footprint in (old, new):
            assert (
                client.post(
                    f"/pact/footprints/{footprint}/publish", json={}, headers=supplier.auth
                ).status_code
                == 201
            )
        with node.db.transaction() as session:
            row = session.get(PactFootprint, old)
            assert row is not None
            released_pcf = dict(row.document["pcf"])
            row.document = _as_draft(row.document)
            draft = row.document
            footprint_row = session.get(Footprint, old)
            assert footprint_row is not None
            result = FootprintResult.model_validate(footprint_row.result["result"])
        headers = pact_bearer(client, supplier)
        got = client.get(f"/3/footprints/{old}", headers=headers)
        assert got.status_code == 200, got.text
        V3.validate_response("/3/footprints/{id}", "get", 200, got.json())
        served = got.json()["data"]
        assert "version" not in served and served["pcf"] == released_pcf == to_pact_v3_pcf(result)
        for draft_name, released in DRAFT_PCF_NAMES.items():  # the same figures under the released names
            if draft_name in draft["pcf"]:
                assert served["pcf"][released] == draft["pcf"][draft_name]
        assert {k: v for k, v in served.items() if k not in ("pcf", "extensions")} == {
            k: v for k, v in draft.items() if k not in ("pcf", "extensions", "version")
        }
        listed = client.get("/3/footprints", headers=headers)
        V3.validate_response("/3/footprints", "get", 200, listed.json())
        assert {pf["id"] for pf in listed.json()["data"]} == {old, new}
        v2 = client.get(f"/2/footprints/{old}", headers=headers)
        assert v2.status_code == 200, v2.text
        V23.validate_response("/2/footprints/{id}", "get", 200, v2.json())
        with node.db.transaction() as session:
            stored = session.get(PactFootprint, old)
            assert stored is not None and stored.document == draft  # nothing stored was rewritten
        receipt = wait_receipt(client, old, supplier)
        assert verify_receipt(receipt, rpc_url=node.local_devnet_rpc).ok
