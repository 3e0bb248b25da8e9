"""Schemathesis (4.32.5) fuzzing of the PACT endpoints, generated from the released OpenAPI documents (v3.0.3 for
/3/, v2.3.3 for /2/), against a node holding published footprints the buyer may see: no request may make the
node answer 5xx, every status must be documented and every body must match the released schemas.

Each generated GetFootprint id is also tried as one of the published ids now and then (a random UUID never
hits one), so 200 responses with whole ProductFootprints are checked, not only errors."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from node_service.app import create_app
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import activity, pact_bearer, register, signed_activity
from tests.pact_spec import V3, V23, PactSpec

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 40


def _loadable(spec: PactSpec) -> dict[str, Any]:
    """The document as schemathesis loads it, from a copy (the file is untouched): v3.0.3 gives its OAuth2
    ``tokenUrl`` as "/auth/token", which OpenAPI requires to be an absolute URL, so the copy names the test host;
    and its event schemas list ``"$ref": "#/components/schemas/BaseEvent/properties"`` among their
    ``properties`` — a property named "$ref" whose schema is a string, which is no schema (the ``$ref`` to
    BaseEvent beside ``properties`` already brings BaseEvent's properties), so the copy leaves it out; and
    RequestCreatedEvent refers to ``#/components/parameters/<name>/schema``, which schemathesis cannot resolve,
    so the copy puts those schemas in place."""
    document = copy.deepcopy(spec.document)
    parameters = document["components"].get("parameters", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if (
                isinstance(ref, str)
                and ref.startswith("#/components/parameters/")
                and ref.endswith("/schema")
            ):
                return copy.deepcopy(parameters[ref.split("/")[3]]["schema"])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    document["components"]["schemas"] = inline(document["components"]["schemas"])
    for component in document["components"]["schemas"].values():
        properties = component.get("properties") if isinstance(component, dict) else None
        if isinstance(properties, dict) and isinstance(properties.get("$ref"), str):
            del properties["$ref"]
    flows = document["components"]["securitySchemes"].get("BearerAuth", {}).get("flows", {})
    for flow in flows.values():
        if isinstance(flow, dict) and str(flow.get("tokenUrl", "")).startswith("/"):
            flow["tokenUrl"] = "https://testserver" + flow["tokenUrl"]
    return document


@pytest.fixture()
def published(make_node: Any, tmp_path: Path) -> Any:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        supplier = register(client, "Fuzzing supplier", ["supplier"])
        buyer = register(client, "Fuzzing buyer", ["buyer"])
        ids = []
        for period in (("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-12-31")):
            subject = activity(supplier.did, reportingPeriod={"start": period[0], "end": period[1]})
            for line in subject["inputs"].get("electricity", []):
                line.pop("greenPowerClaims", None)  # a GEC serial is claimed once on the exchange
            resp = client.post("/submissions", json=signed_activity(supplier, subject))
            assert resp.status_code == 201, resp.text
            footprint_id = resp.json()["footprintId"]
            shared = client.post(
                f"/pact/footprints/{footprint_id}/publish",
                json={"shareWith": [buyer.did]},
                headers=supplier.auth,
            )
            assert shared.status_code == 201, shared.text
            ids.append(footprint_id)
        yield app, pact_bearer(client, buyer), ids


@pytest.mark.parametrize("spec", [V3, V23], ids=["v3.0.3", "v2.3.3"])
def test_fuzz_pact_endpoints_no_5xx_and_released_schemas(published: Any, spec: PactSpec) -> None:
    app, bearer, ids = published
    schema = schemathesis.openapi.from_dict(_loadable(spec))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == set(spec.document["paths"])
    failures: list[str] = []
    seen: dict[int, int] = {}

    def fuzz(operation: Any, auth: dict[str, str]) -> None:
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            if operation.path.endswith("{id}") and case.path_parameters and sum(seen.values()) % 3 == 0:
                case.path_parameters["id"] = ids[sum(seen.values()) % len(ids)]
            response = case.call(app=app, headers=auth)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            where = f"{operation.method.upper()} {case.formatted_path} {case.query or ''}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
                return
            body = response.json() if response.content else None
            try:
                spec.validate_response(operation.path, operation.method, response.status_code, body)
            except AssertionError as exc:
                failures.append(f"{where}: {str(exc)[:400]}")

        run()

    for operation in operations:
        for auth in (bearer, {"authorization": "Bearer nonsense"}):
            fuzz(operation, auth)
    assert not failures, failures[:10]
    assert seen.get(200, 0) > 0, seen  # whole documents were checked, not only errors
