"""A small client of the node's HTTP API for tests (independent of the demo's code paths where it matters)."""

from __future__ import annotations

import json
import time
import uuid
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


def registration(key: Ed25519PrivateKey, name: str, roles: list[str], **subject: Any) -> dict[str, Any]:
    did = did_key(key)
    doc = build_credential(
        {"id": did, "name": {"en": name, "zh": name}, "roles": roles, **subject},
        did,
        credential_type="OrganisationRegistration",
    )
    return eddsa_jcs_2022.sign(doc, key, verification_method_id(key))


def register(client: Any, name: str, roles: list[str], **subject: Any) -> Org:
    """Register an organisation; the first registration on a node also registers the holder of the handles
    the tests cite (:func:`serve_example_identifiers`), since the node refuses unresolvable identifiers. The
    holder delegates its prefixes to the new organisation, so that it may report the examples' products (a
    product under another organisation's prefix is refused otherwise); ``delegated=False`` leaves that out."""
    delegated = subject.pop("delegated", True)
    holder = serve_example_identifiers(client) or holder_of(client)
    org = _register(client, name, roles, **subject)
    if delegated and holder is not None:
        delegate_example_prefixes(client, holder, org)
    return org


# holders of the examples' prefixes, by did (their records name them: a node may be reached by several clients)
_HOLDERS: dict[str, Org] = {}
HOLDER_TYPE = "DESC"


def holder_of(client: Any) -> Org | None:
    resp = client.get(f"/api/handles/{EXAMPLE_PRODUCT}?type={HOLDER_TYPE}")
    if resp.status_code != 200:
        return None
    for value in resp.json().get("values", []):
        holder = _HOLDERS.get(str(value.get("data", {}).get("value", "")).removeprefix("held by "))
        if holder is not None:
            return holder
    return None


def delegate_example_prefixes(client: Any, holder: Org, org: Org) -> None:
    """``holder`` lets ``org`` report the products under the examples' prefixes."""
    for prefix in sorted({h.split("/", 1)[0] for h in TEST_HANDLES}):
        resp = client.put(f"/organisations/me/prefixes/{prefix}/delegates/{org.did}", headers=holder.auth)
        assert resp.status_code in (200, 201), resp.text


def _register(client: Any, name: str, roles: list[str], **subject: Any) -> Org:
    key = Ed25519PrivateKey.generate()
    resp = client.post("/organisations", json=registration(key, name, roles, **subject))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    return Org(key=key, did=body["did"], token=body["apiToken"], id=body["id"])


def pact_bearer(client: Any, org: Org, name: str | None = None) -> dict[str, str]:
    """``org`` creates a PACT client and exchanges its credentials (OAuth2 client credentials) for an access
    token; returns the Authorization header that carries it."""
    body = {} if name is None else {"name": name}
    creds = client.post("/pact/clients", json=body, headers=org.auth).json()
    resp = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(creds["clientId"], creds["clientSecret"]),
    )
    assert resp.status_code == 200, resp.text
    return {"authorization": f"Bearer {resp.json()['access_token']}"}


EXAMPLE_SERIALS = ("GEC-2024-YN-HYD-000123", "GEC-2023-YN-HYD-004560")  # the example's GEC batches
EXAMPLE_PRODUCT = "88.118.8/AL-INGOT-A00"
EXAMPLE_MATERIALS = ("88.118.5/ALUMINA-SGA", "88.118.8/ANODE-PB")
# every handle the node tests cite: the two examples' products and materials, and other ingot grades
TEST_HANDLES = (
    EXAMPLE_PRODUCT,
    *EXAMPLE_MATERIALS,
    "88.118.8/AL-INGOT-B00",
    "88.118.8/AL-INGOT-C00",
    "88.118.12/MOTOR-HOUSING-H7",
    "88.118.12/AL-SCRAP-RETURN",
)


def drop_evidence(node: Any) -> None:
    """Remove every ``evidence`` list: the example's CIDs are placeholders nobody uploaded, and the node refuses
    a citation of evidence the submitter has not stored (tests that cite evidence upload it first)."""
    if isinstance(node, dict):
        node.pop("evidence", None)
        for value in node.values():
            drop_evidence(value)
    elif isinstance(node, list):
        for value in node:
            drop_evidence(value)


def activity(
    org_did: str,
    *,
    example: str = "aluminium-ingot-yunnan",
    gec_serials: tuple[str, ...] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """An example (default the aluminium ingot) reported by ``org_did``, without its placeholder evidence CIDs.

    A GEC serial can be claimed once across the exchange, so each call claims serials of its own (the
    example's with a random suffix); ``gec_serials`` gives them instead (one per GEC claim of the example).
    """
    from footprint_engine.examples import load_example

    doc = load_example(example)
    example_org = doc["organisation"]["id"]
    doc = json.loads(json.dumps(doc).replace(json.dumps(example_org), json.dumps(org_did)))
    drop_evidence(doc)
    claims = [
        c
        for e in doc["inputs"].get("electricity", [])
        for c in e.get("greenPowerClaims", [])
        if c["type"] == "gec"
    ]
    tag = uuid.uuid4().hex[:12]
    serials = gec_serials if gec_serials is not None else tuple(f"{c['serial']}-{tag}" for c in claims)
    assert len(serials) == len(claims), f"give {len(claims)} GEC serials"
    for claim, serial in zip(claims, serials, strict=True):
        claim["serial"] = serial
    doc.update(changes)
    return doc


def serve_example_identifiers(client: Any) -> Org | None:
    """Make the handles the tests cite resolve on the node behind ``client``, as their issuers would: an
    enterprise holding the prefixes registers and creates a record per handle (the node refuses a submission
    citing a handle nobody resolves). Once per node: returns None when the records are there already."""
    if client.get(f"/api/handles/{EXAMPLE_PRODUCT}").status_code == 200:
        return None
    prefixes = sorted({h.split("/", 1)[0] for h in TEST_HANDLES})
    holder = _register(
        client, "Example enterprises (IDIS prefix holder)", ["supplier"], idisPrefixes=prefixes
    )
    _HOLDERS[holder.did] = holder
    for handle in TEST_HANDLES:
        value = {"index": 1, "type": "NAME", "data": {"format": "string", "value": handle}}
        held = {
            "index": 2,
            "type": HOLDER_TYPE,
            "data": {"format": "string", "value": f"held by {holder.did}"},
        }
        put = client.put(f"/api/handles/{handle}", json=[value, held], headers=holder.auth)
        assert put.status_code in (200, 201), put.text
    return holder


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
