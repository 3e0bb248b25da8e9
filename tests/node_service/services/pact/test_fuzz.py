"""Schemathesis (4.32.5) fuzzing of the PACT endpoints, generated from the official v3 OpenAPI document:
no request it generates may make the node answer 5xx, and documented responses must match their schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from node_service.app import create_app
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import pact_bearer, register
from tests.node_service.services.pact.spec_schemas import document, validate_response

schemathesis = pytest.importorskip("schemathesis")


def test_fuzz_pact_v3_endpoints_no_5xx(make_node: Any, tmp_path: Path) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    client = TestClient(app)
    buyer = register(client, "Fuzzing buyer", ["buyer"])
    bearer = pact_bearer(client, buyer)
    schema = schemathesis.openapi.from_dict(document())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/3/footprints", "/3/footprints/{id}", "/3/events"}
    failures: list[str] = []

    def fuzz(operation: Any, auth: dict[str, str]) -> None:
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(app=app, headers=auth)
            if response.status_code >= 500:
                failures.append(f"{operation.method.upper()} {case.formatted_path}: {response.status_code}")
                return
            body = response.json() if response.content else None
            validate_response(operation.path, operation.method, response.status_code, body)

        run()

    for operation in operations:
        for auth in (bearer, {"authorization": "Bearer nonsense"}):
            fuzz(operation, auth)
    assert not failures, failures
