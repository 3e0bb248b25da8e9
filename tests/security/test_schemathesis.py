"""Schemathesis (4.32.5) over every operation of the node's own OpenAPI document (``/openapi.json``), in process
against the ASGI app, as a registered organisation and anonymously.

The checks, by name: ``not_a_server_error`` (no 5xx), ``status_code_conformance`` (every status is documented),
``content_type_conformance`` and ``response_schema_conformance`` (the body is what the document says, problem+json
included). ``positive_data_acceptance`` is left out on purpose: most writes need a signature no generator can make.

Budget: EXAMPLES generated cases per operation and party; now and then a path parameter is replaced by the id of
a real object of the world (``tests/security/world.py``), so that 200 answers are checked too, not only errors.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.security.world import World, build_world, sqlite_url

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import checks as st_checks  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402

EXAMPLES = 25
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]
PACT_ACTIONS = ("/2/", "/3/", "/pact/receipts/")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from node_service.runtime import Node
    from node_service.settings import Settings

    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    node = Node(
        Settings(data_dir=tmp / "data", database_url=sqlite_url(tmp), anchor_interval_seconds=0.3)
    ).start()
    try:
        yield from build_world(node)
    finally:
        node.stop()


def _real_ids(world: World) -> dict[str, list[str]]:
    """Real values for path parameters, by name."""
    return {
        "footprint_id": [world.shared_footprint, world.private_footprint],
        "submission_id": [world.submission],
        "entry_id": [world.entry],
        "cid": [world.evidence],
        "record_id": [world.installation],
        "did": [world.owner.did, world.buyer.did],
        "handle": ["88.118.8/AL-INGOT-A00"],
        "client_id": [world.pact_client],
        "prefix": [world.prefix],
        "request_id": world.requests,
    }


def _credentials(world: World, path: str) -> dict[str, str]:
    """What a registered organisation sends to ``path``: a PACT access token to PACT actions, else its API
    token (the token endpoint gets Basic client credentials)."""
    if path.startswith(PACT_ACTIONS):
        return world.bearers["buyer"]
    if path == "/auth/token":
        import base64

        basic = base64.b64encode(":".join(world.basic["owner"]).encode()).decode()
        return {"authorization": f"Basic {basic}"}
    return world.owner.auth


def test_schemathesis_over_every_operation(world: World) -> None:
    document = world.app.openapi()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    expected = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert {(op.method.upper(), op.path) for op in operations} == expected
    real = _real_ids(world)
    failures: list[str] = []
    statuses: dict[int, int] = {}
    calls = 0
    started = time.monotonic()

    def fuzz(operation: Any, headers: dict[str, str]) -> None:
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            if case.path_parameters and calls % 3 == 0:
                for name in case.path_parameters:
                    if name in real:
                        case.path_parameters[name] = real[name][calls % len(real[name])]
            response = case.call(app=world.app, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as exc:
                where = f"{case.method} {case.formatted_path} {case.query or ''} -> {response.status_code}"
                failures.append(f"{where}: {str(exc)[:600]}")

        run()

    for operation in operations:
        fuzz(operation, _credentials(world, operation.path))
        fuzz(operation, {})
    elapsed = time.monotonic() - started
    print(
        f"schemathesis: {len(operations)} operations, {calls} requests in {elapsed:.0f} s, statuses {statuses}"
    )
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} failures)"
    assert statuses.get(200, 0) + statuses.get(201, 0) > 0, (
        statuses
    )  # successes were checked, not only errors
