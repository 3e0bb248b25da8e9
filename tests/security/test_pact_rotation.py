"""Issue 16, low finding: PACT client-secret rotation compared whole seconds, so a token minted in the second of
the rotation stayed valid for its hour. Tokens are now bound to the secret they were issued against (the ``sv``
claim), so rotation is exact whatever the clocks say — on both read paths (ListFootprints, and GetFootprint's
single statement)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.services.pact.management import clients
from node_service.services.pact.models import PactClient
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import Org, activity, register, signed_activity


@pytest.fixture()
def exchange(make_node: Any, tmp_path: Path) -> Any:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        supplier = register(client, "Supplier", ["supplier"])
        subject = activity(supplier.did)
        for line in subject["inputs"].get("electricity", []):
            line.pop("greenPowerClaims", None)
        submitted = client.post("/submissions", json=signed_activity(supplier, subject))
        assert submitted.status_code == 201, submitted.text
        footprint = submitted.json()["footprintId"]
        published = client.post(
            f"/pact/footprints/{footprint}/publish", json={"public": True}, headers=supplier.auth
        )
        assert published.status_code == 201, published.text
        yield node, client, register(client, "Buyer", ["buyer"]), footprint


def _token(client: TestClient, client_id: str, secret: str) -> dict[str, str]:
    resp = client.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert resp.status_code == 200, resp.text
    return {"authorization": f"Bearer {resp.json()['access_token']}"}


def _reads(client: TestClient, headers: dict[str, str], footprint: str) -> tuple[int, int]:
    """The status of ListFootprints and of GetFootprint (the one-statement path) with ``headers``."""
    return (
        client.get("/3/footprints", headers=headers).status_code,
        client.get(f"/3/footprints/{footprint}", headers=headers).status_code,
    )


def _new_client(client: TestClient, buyer: Org) -> dict[str, Any]:
    created = client.post("/pact/clients", json={"name": "ERP"}, headers=buyer.auth)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def test_a_token_minted_in_the_rotation_second_stops_working(exchange: Any) -> None:
    """A token, then a rotation, in one whole second (started just after a second begins; tried again when a
    busy machine lets the second pass — every try checks the refusal, the loop ends at the first in one
    second): the old rule, ``iat < int(rotated_at)``, let such a token through."""
    _node, client, buyer, footprint = exchange
    creds = _new_client(client, buyer)
    for _ in range(10):
        time.sleep(1.02 - time.time() % 1)
        second = int(time.time())
        old = _token(client, creds["clientId"], creds["clientSecret"])
        assert _reads(client, old, footprint) == (200, 200)
        rotated = client.post(f"/pact/clients/{creds['clientId']}/rotate", headers=buyer.auth)
        assert rotated.status_code == 200, rotated.text
        same_second = int(time.time()) == second
        creds["clientSecret"] = rotated.json()["clientSecret"]
        assert _reads(client, old, footprint) == (400, 400)
        assert _reads(client, _token(client, creds["clientId"], creds["clientSecret"]), footprint) == (
            200,
            200,
        )
        if same_second:
            break


def test_a_token_issued_against_the_old_secret_after_the_rotation_stops_working(exchange: Any) -> None:
    """The race: a token request reads the client (old secret) and is still verifying it when the rotation
    commits; the token is dated after the rotation, and bound to the old secret."""
    node, client, buyer, footprint = exchange
    creds = _new_client(client, buyer)
    with node.db.transaction() as slow:
        stale = slow.get(PactClient, creds["clientId"])  # read before the rotation
        assert stale is not None
        time.sleep(1.1)
        rotated = client.post(f"/pact/clients/{creds['clientId']}/rotate", headers=buyer.auth)
        assert rotated.status_code == 200, rotated.text
        time.sleep(1.1)
        keys = client.app.state.pact.keys  # type: ignore[attr-defined]
        token, _ = clients.issue_token(slow, keys, creds["clientId"], creds["clientSecret"], 3600)
    assert _reads(client, {"authorization": f"Bearer {token}"}, footprint) == (400, 400)


def test_revocation_takes_effect_at_once(exchange: Any) -> None:
    _node, client, buyer, footprint = exchange
    creds = _new_client(client, buyer)
    headers = _token(client, creds["clientId"], creds["clientSecret"])
    assert _reads(client, headers, footprint) == (200, 200)
    assert client.delete(f"/pact/clients/{creds['clientId']}", headers=buyer.auth).status_code in (200, 204)
    assert _reads(client, headers, footprint) == (400, 400)


def test_a_token_from_before_secret_binding_is_answered_as_expired(exchange: Any) -> None:
    """A token a node issued before tokens carried ``sv`` (signed with the node's key, still within its hour)
    is answered 401 TokenExpired, so that clients simply ask for a new one."""
    node, client, buyer, footprint = exchange
    creds = _new_client(client, buyer)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"iss": "tanlian", "sub": creds["clientId"], "org": buyer.id, "iat": now, "exp": now + 3600}
    head, body = b64(b'{"alg": "HS256", "typ": "JWT"}'), b64(json.dumps(claims).encode())
    key = (node.settings.resolved_data_dir / "keys" / "pact-token.key").read_bytes()
    signature = b64(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
    headers = {"authorization": f"Bearer {head}.{body}.{signature}"}
    assert _reads(client, headers, footprint) == (401, 401)
    assert client.get("/3/footprints", headers=headers).json()["code"] == "TokenExpired"
