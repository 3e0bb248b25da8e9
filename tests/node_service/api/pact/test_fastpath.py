"""The read fast path (node_service.api.pact.fastpath) answers exactly as the FastAPI routes do: same status, body
and headers for pages, Link pagination, filters, GetFootprint and every error."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from node_service.api.pact.fastpath import PactReadFastPath
from node_service.app import create_app
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import pact_bearer, register
from tests.node_service.services.pact.test_listing import _seed


def _answers(client: TestClient, requests: list[tuple[str, Any, dict[str, str]]]) -> list[Any]:
    out = []
    for path, params, headers in requests:
        resp = client.get(path, params=params, headers=headers)
        kept = {k: v for k, v in resp.headers.items() if k in ("content-type", "link", "content-length")}
        out.append((path, params, resp.status_code, resp.content, kept))
    return out


def test_fast_path_answers_as_the_routes(make_node: Any, tmp_path: Any) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        owner = register(client, "Owner", ["supplier"])
        buyer = register(client, "Buyer", ["buyer"])
        rows = _seed(node, [owner.id], [buyer.id])
        auth = pact_bearer(client, buyer)
        first = client.get("/3/footprints", params={"limit": 3}, headers=auth)
        link = first.headers["link"].split(">")[0][1:].replace("http://testserver", "")
        requests: list[tuple[str, Any, dict[str, str]]] = [
            ("/3/footprints", None, auth),
            ("/3/footprints", {"limit": 3}, auth),
            (link, None, auth),
            ("/3/footprints", {"status": "Active", "limit": 5}, auth),
            ("/3/footprints", {"productId": ["urn:pact:example:p3", "urn:pact:example:p4"]}, auth),
            ("/3/footprints", {"validOn": "2026-06-01T00:00:00Z", "limit": 2}, auth),
            ("/3/footprints", {"$filter": "pcf/declaredUnit eq 'kilogram'"}, auth),
            ("/3/footprints", {"limit": "ten"}, auth),
            ("/3/footprints", {"cursor": "not-a-cursor"}, auth),
            ("/3/footprints", None, {}),
            ("/3/footprints", None, {"authorization": "Bearer not-a-token"}),
            *[(f"/3/footprints/{r.id}", None, auth) for r in rows[:12]],
            (f"/3/footprints/{uuid.uuid4()}", None, auth),
            (f"/2/footprints/{uuid.uuid4()}", None, auth),
            ("/3/footprints/" + "x" * 300, None, auth),
        ]
        fast = _answers(client, requests)
        outer: Any = app.middleware_stack  # HSTS, then the body limits, then the fast path
        while not isinstance(outer.app, PactReadFastPath):
            outer = outer.app
        outer.app = outer.app.app  # through FastAPI's routing again
        routed = _answers(client, requests)
    assert [a[2] for a in fast] == [a[2] for a in routed]
    for got, want in zip(fast, routed, strict=True):
        assert got == want, got[:2]
    statuses = {a[2] for a in fast}
    assert {200, 400, 403, 404} <= statuses  # the cases above reach every answer


def test_an_unexpected_failure_falls_back_to_the_route(
    make_node: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """A bug in the fast path must not escape as the server's bare 500: the app's own route answers instead."""
    import node_service.api.pact.fastpath as routers

    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        expected = client.get("/3/footprints", headers={"authorization": "Bearer x"})
        calls = []

        async def broken(*args: Any) -> Any:
            calls.append(args)
            raise RuntimeError("boom")

        monkeypatch.setattr(routers, "read_action", broken)
        resp = client.get("/3/footprints", headers={"authorization": "Bearer x"})
    assert calls  # the fast path tried, then handed the request to the app
    assert (resp.status_code, resp.content) == (expected.status_code, expected.content)
