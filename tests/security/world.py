"""A node with something of everything, for the security suite: organisations in every role a request can
come from, and one object of each kind the API serves, owned by one of them.

* ``owner``: a supplier and exporter holding the IDIS prefix 88.412.7 (two handle records), with a private
  footprint, a footprint shared with ``buyer`` (and published over PACT to it), an evidence file granted to
  ``auditor``, a CBAM installation and PACT clients (one to rotate, one to delete);
* ``buyer``: the footprint above is shared with it (node API and PACT); it registered a PACT host
  (``https://buyer.example``, a name that never resolves) and asked the owner for the product over PACT twice
  (``requests``: two RequestCreated events in the owner's inbox);
* ``other``: a registered organisation with nothing shared with it;
* ``auditor``: registered with the auditor role, granted the evidence file.

Every receipt of the objects above is anchored before the world is handed over (no 409 "not anchored yet").
Each organisation has a PACT client (``basic``) and an access token (``bearers``); ``stale_bearer`` is a token
whose client's secret was rotated since, ``stale_basic`` that client's old credentials.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import Org, activity, register, signed_activity, wait_receipt
from tests.node_service.services.cbam.helpers import cement_document

PARTIES = ("owner", "buyer", "other", "auditor")
PREFIX = "88.412.7"


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
    doomed_client: str
    requests: list[str] = field(default_factory=list)
    basic: dict[str, tuple[str, str]] = field(default_factory=dict)
    bearers: dict[str, dict[str, str]] = field(default_factory=dict)
    stale_basic: tuple[str, str] = ("", "")
    stale_bearer: dict[str, str] = field(default_factory=dict)
    prefix: str = PREFIX
    handle: str = f"{PREFIX}/ING"
    doomed_handle: str = f"{PREFIX}/DOOMED"

    def org(self, party: str) -> Org:
        found: Org = getattr(self, party)
        return found


def _submit(client: TestClient, org: Org, period: tuple[str, str]) -> dict[str, Any]:
    subject = activity(org.did, reportingPeriod={"start": period[0], "end": period[1]})
    resp = client.post("/submissions", json=signed_activity(org, subject))
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _ok(resp: Any, *statuses: int) -> dict[str, Any]:
    assert resp.status_code in (statuses or (201,)), resp.text
    body: dict[str, Any] = resp.json()
    return body


def _client(client: TestClient, org: Org, name: str) -> dict[str, Any]:
    return _ok(client.post("/pact/clients", json={"name": name}, headers=org.auth))


def _token(client: TestClient, basic: tuple[str, str]) -> dict[str, str]:
    resp = client.post("/auth/token", data={"grant_type": "client_credentials"}, auth=basic)
    return {"authorization": f"Bearer {_ok(resp, 200)['access_token']}"}


def _request(client: TestClient, world: World, product: str) -> str:
    """The buyer asks over PACT (a RequestCreated event) for the owner's product: a request in the owner's inbox."""
    event = {
        "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "https://buyer.example",
        "time": "2026-12-07T10:00:00Z",
        "data": {"productId": [product]},
    }
    headers = {**world.bearers["buyer"], "content-type": "application/cloudevents+json"}
    resp = client.post("/3/events", content=json.dumps(event), headers=headers)
    assert resp.status_code == 200, resp.text
    inbox = client.get("/pact/requests", headers=world.owner.auth).json()["data"]
    found = [r["id"] for r in inbox if r["eventId"] == event["id"]]
    assert len(found) == 1, inbox
    return found[0]


def build_world(node: Any) -> Iterator[World]:
    """The world over a started ``node`` (PACT over plain HTTP allowed, as TestClient speaks it)."""
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        owner = register(client, "Owner supplier", ["supplier", "exporter"], idisPrefixes=[PREFIX])
        for handle in (World.handle, World.doomed_handle):
            value = {"index": 1, "type": "NAME", "data": {"format": "string", "value": handle}}
            _ok(client.put(f"/api/handles/{handle}", json=[value], headers=owner.auth))
        buyer = register(client, "Buyer", ["buyer"])
        other = register(client, "Other supplier", ["supplier"])
        auditor = register(client, "Auditor", ["auditor"])
        private = _submit(client, owner, ("2024-01-01", "2024-12-31"))
        shared = _submit(client, owner, ("2025-01-01", "2025-12-31"))
        shared_id = shared["footprintId"]
        _ok(
            client.post(
                f"/footprints/{shared_id}/shares", json={"organisation": buyer.did}, headers=owner.auth
            )
        )
        published = _ok(
            client.post(
                f"/pact/footprints/{shared_id}/publish", json={"shareWith": [buyer.did]}, headers=owner.auth
            )
        )
        product = published["productFootprint"]["productIds"][0]
        files = {"file": ("meter.csv", b"kWh\n42\n", "text/csv")}
        uploaded = _ok(client.post("/evidence", files=files, headers=owner.auth))
        evidence = uploaded["cid"]
        grant = {"organisation": auditor.did}
        _ok(client.post(f"/evidence/{evidence}/grants", json=grant, headers=owner.auth))
        installation = _ok(client.post("/cbam/installations", json=cement_document(), headers=owner.auth))
        for entry in (private["footprintId"], shared_id, installation["entryId"], uploaded["entryId"]):
            wait_receipt(client, entry, owner)
        world = World(
            app=app,
            client=client,
            owner=owner,
            buyer=buyer,
            other=other,
            auditor=auditor,
            private_footprint=private["footprintId"],
            shared_footprint=shared_id,
            submission=private["id"],
            entry=private["footprintId"],
            evidence=evidence,
            installation=installation["id"],
            pact_client=_client(client, owner, "owner's spare")["clientId"],
            doomed_client=_client(client, owner, "owner's doomed")["clientId"],
        )
        for party in PARTIES:
            issued = _client(client, world.org(party), f"{party}'s")
            world.basic[party] = (issued["clientId"], issued["clientSecret"])
            world.bearers[party] = _token(client, world.basic[party])
        host = {
            "baseUrl": "https://buyer.example",
            "clientId": "node",
            "clientSecret": "unused",
            "subscribePublished": False,
        }
        _ok(client.post("/pact/remote-hosts", json=host, headers=buyer.auth))  # .example never resolves
        world.requests = [_request(client, world, product) for _ in range(2)]
        stale = _client(client, buyer, "buyer's rotated")
        world.stale_basic = (stale["clientId"], stale["clientSecret"])
        world.stale_bearer = _token(client, world.stale_basic)
        time.sleep(1.1)  # rotation refuses tokens minted before it; whole seconds until issue 16's fix lands
        _ok(client.post(f"/pact/clients/{stale['clientId']}/rotate", headers=buyer.auth), 200)
        yield world


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db.sqlite'}"
