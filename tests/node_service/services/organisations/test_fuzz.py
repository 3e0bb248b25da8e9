"""Fuzzing POST /submissions: hypothesis strategies over the JSON shapes (signed and unsigned mutations of
a valid credential, and arbitrary JSON), and schemathesis over the node's OpenAPI. The node must answer
201/200 or an RFC 9457 problem (never a 5xx), and a refused request must store nothing. Bounded: well
under 60 s."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st

from node_service.credentials.errors import ProofGenerationError
from tests.node_service.helpers import activity
from tests.node_service.services.organisations.helpers import counts, register, sign_as

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
UNITS = st.sampled_from(["t", "kg", "kWh", "MWh", "m3", "km", "furlong", "", "t/km", "piece", "1e3 kg", "°C"])
IDENTIFIERS = st.sampled_from(
    ["88.118.8/AL-INGOT-A00", "urn:gtin:6901234567892", "urn:gtin:6901234567893", "88.abc/x", "x", "",
     "91530100MA6K8Q2L5T", "hdl:88.118.5/A", "https://id.gs1.org/01/09506000134352", "a/b/c", "20.500.1/Z"]
)  # fmt: skip


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> None:
    for part in path[:-1]:
        doc = doc[part]
    if delete:
        del doc[path[-1]]
    else:
        doc[path[-1]] = value


@st.composite
def mutated_subject(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        last = str(path[-1])
        if last == "unit":
            value = draw(UNITS)
        elif last.lower().endswith("identifier"):
            value = draw(IDENTIFIERS)
        elif last == "amount":
            value = draw(st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=3))
        else:
            value = draw(JSON)
        _set(doc, path, value, delete=draw(st.booleans()) and not isinstance(path[-1], int))
    return doc


@pytest.fixture
def world(client, node):
    return client, node, register(client, "Fuzz")


def _check(client: Any, node: Any, body: Any) -> None:
    before = counts(node)
    raw = json.dumps(body).encode()  # NaN/Infinity are written as such: the node must refuse them cleanly
    resp = client.post("/submissions", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code in (200, 201, 409, 422), resp.text
    if resp.status_code >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        problem = resp.json()
        assert problem["status"] == resp.status_code and problem["type"].startswith("/problems/")
        assert counts(node) == before


def test_hypothesis_signed_mutations(world):
    client, node, org = world
    base = activity(org.did)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(subject=mutated_subject(base), credential_id=st.uuids())
    def run(subject: dict[str, Any], credential_id: Any) -> None:
        from node_service.credentials.vc import build_credential

        unsigned = build_credential({"placeholder": True}, org.did, credential_id=f"urn:uuid:{credential_id}")
        unsigned["credentialSubject"] = subject
        try:
            signed = sign_as(org.did, org.key, unsigned)
        except ProofGenerationError:  # NaN, Infinity, integers beyond 2^53: no JCS form, nobody can sign it
            reject()
        _check(client, node, signed)

    run()


def test_hypothesis_arbitrary_json_and_unsigned_mutations(world):
    client, node, org = world
    from node_service.credentials.vc import build_credential

    signed = sign_as(org.did, org.key, build_credential(activity(org.did), org.did))

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=JSON | mutated_subject(signed))
    def run(body: Any) -> None:
        _check(client, node, body)

    run()


def test_schemathesis_against_the_openapi(client, node):
    schemathesis = pytest.importorskip("schemathesis")
    # from_dict + our TestClient: from_asgi would run the app's lifespan a second time
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    operation = schema["/submissions"]["POST"]
    strategy = operation.as_strategy()

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        before = counts(node)
        resp = client.request(
            case.method,
            case.formatted_path,
            json=case.body,
            headers=dict(case.headers or {}),
            params=case.query,
        )
        assert resp.status_code < 500, resp.text
        if resp.status_code >= 400:
            assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
            assert counts(node) == before

    run()
