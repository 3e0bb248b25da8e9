"""A small client of the node's HTTP API for tests (independent of the demo's code paths where it matters)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from node_service.credentials.vc import build_credential


@dataclass
class Org:
    key: Ed25519PrivateKey
    did: str
    token: str
    id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def registration(key: Ed25519PrivateKey, name: str, roles: list[str]) -> dict[str, Any]:
    did = did_key(key)
    doc = build_credential(
        {"id": did, "name": {"en": name, "zh": name}, "roles": roles},
        did,
        credential_type="OrganisationRegistration",
    )
    return eddsa_jcs_2022.sign(doc, key, verification_method_id(key))


def register(client: Any, name: str, roles: list[str]) -> Org:
    key = Ed25519PrivateKey.generate()
    resp = client.post("/organisations", json=registration(key, name, roles))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    return Org(key=key, did=body["did"], token=body["apiToken"], id=body["id"])


def activity(org_did: str, **changes: Any) -> dict[str, Any]:
    from footprint_engine.examples import load_example

    doc = load_example("aluminium-ingot-yunnan")
    example_org = doc["organisation"]["id"]
    doc = json.loads(json.dumps(doc).replace(json.dumps(example_org), json.dumps(org_did)))
    doc.update(changes)
    return doc


def signed_activity(org: Org, subject: dict[str, Any] | None = None, **vc: Any) -> dict[str, Any]:
    credential = build_credential(subject or activity(org.did), org.did, **vc)
    return eddsa_jcs_2022.sign(credential, org.key, verification_method_id(org.key))


def wait_receipt(client: Any, entry_id: str, org: Org, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = client.get(f"/receipts/{entry_id}", headers=org.auth)
        if resp.status_code == 200:
            body: dict[str, Any] = resp.json()
            return body
        assert resp.status_code == 409, resp.text
        time.sleep(0.1)
    raise AssertionError(f"{entry_id} not anchored in {timeout} s")
