"""A node with something of everything, for the security suite: organisations in every role a request can
come from, and one object of each kind the API serves, owned by one of them.

* ``owner``: a supplier and exporter with a private footprint, a footprint shared with ``buyer`` (and
  published over PACT to it), an evidence file granted to ``auditor``, a CBAM installation and PACT clients;
* ``buyer``: the footprint above is shared with it (node API and PACT);
* ``other``: a registered organisation with nothing shared with it;
* ``auditor``: registered with the auditor role, granted the evidence file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import Org, activity, pact_bearer, register, signed_activity
from tests.node_service.services.cbam.helpers import cement_document


@dataclass
class World:
    app: FastAPI
    client: TestClient
    owner: Org
    buyer: Org
    other: Org
    auditor: Org
    private_footprint: str
    shared_footprint: str
    submission: str
    entry: str
    evidence: str
    installation: str
    pact_client: str
    basic: tuple[str, str]
    bearers: dict[str, dict[str, str]] = field(default_factory=dict)

    def auth(self, party: str) -> dict[str, str]:
        org: Org = getattr(self, party)
        return org.auth


def _submit(client: TestClient, org: Org, period: tuple[str, str]) -> dict[str, Any]:
    subject = activity(org.did, reportingPeriod={"start": period[0], "end": period[1]})
    resp = client.post("/submissions", json=signed_activity(org, subject))
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def build_world(node: Any) -> Iterator[World]:
    """The world over a started ``node`` (PACT over plain HTTP allowed, as TestClient speaks it)."""
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        owner = register(client, "Owner supplier", ["supplier", "exporter"])
        buyer = register(client, "Buyer", ["buyer"])
        other = register(client, "Other supplier", ["supplier"])
        auditor = register(client, "Auditor", ["auditor"])
        private = _submit(client, owner, ("2024-01-01", "2024-12-31"))
        shared = _submit(client, owner, ("2025-01-01", "2025-12-31"))
        resp = client.post(
            f"/footprints/{shared['footprintId']}/shares",
            json={"organisation": buyer.did},
            headers=owner.auth,
        )
        assert resp.status_code == 201, resp.text
        resp = client.post(
            f"/pact/footprints/{shared['footprintId']}/publish",
            json={"shareWith": [buyer.did]},
            headers=owner.auth,
        )
        assert resp.status_code == 201, resp.text
        resp = client.post(
            "/evidence", files={"file": ("meter.csv", b"kWh\n42\n", "text/csv")}, headers=owner.auth
        )
        assert resp.status_code == 201, resp.text
        evidence = resp.json()["cid"]
        resp = client.post(
            f"/evidence/{evidence}/grants", json={"organisation": auditor.did}, headers=owner.auth
        )
        assert resp.status_code == 201, resp.text
        resp = client.post("/cbam/installations", json=cement_document(), headers=owner.auth)
        assert resp.status_code == 201, resp.text
        installation = resp.json()["id"]
        resp = client.post("/pact/clients", json={"name": "owner's spare"}, headers=owner.auth)
        assert resp.status_code == 201, resp.text
        issued = resp.json()
        world = World(
            app=app,
            client=client,
            owner=owner,
            buyer=buyer,
            other=other,
            auditor=auditor,
            private_footprint=private["footprintId"],
            shared_footprint=shared["footprintId"],
            submission=private["id"],
            entry=private["footprintId"],
            evidence=evidence,
            installation=installation,
            pact_client=issued["clientId"],
            basic=(issued["clientId"], issued["clientSecret"]),
        )
        world.bearers = {
            name: pact_bearer(client, getattr(world, name)) for name in ("owner", "buyer", "other")
        }
        yield world


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db.sqlite'}"
