"""Helpers of the organisations tests: organisations with prefixes and several keys, key-management
credentials, counts of stored rows and problem assertions (a loopback uvicorn server: tests.identifier_resolver.helpers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from node_service.credentials.vc import build_credential
from node_service.db.models import Footprint, LogEntry, Organisation, OrganisationKey, Submission
from node_service.services.organisations.models import HandleRecordRow, OrganisationPrefix, SubmissionFlag
from tests.node_service.helpers import Org, activity, delegate_example_prefixes, holder_of

VALID_USCC = "91530100MA6K8Q2L5T"  # the example's code; check character verified by parse_uscc
PRODUCT = "88.118.8/AL-INGOT-A00"  # the example's product and its materials
MATERIALS = ("88.118.5/ALUMINA-SGA", "88.118.8/ANODE-PB")
TABLES = (Organisation, OrganisationKey, OrganisationPrefix, Submission, Footprint, LogEntry, SubmissionFlag)


def now() -> datetime:
    return datetime.now(UTC)


def registration(key: Ed25519PrivateKey, name: str, **subject: Any) -> dict[str, Any]:
    did = did_key(key)
    body = {"id": did, "name": {"en": name, "zh": name}, "roles": ["supplier"], **subject}
    doc = build_credential(body, did, credential_type="OrganisationRegistration")
    return eddsa_jcs_2022.sign(doc, key, verification_method_id(key))


def register(client: Any, name: str, **subject: Any) -> Org:
    """Register an organisation; where the examples' prefixes are held (``example_identifiers``), their holder
    delegates them to it, so that it may report the examples' products."""
    key = Ed25519PrivateKey.generate()
    resp = client.post("/organisations", json=registration(key, name, **subject))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    org = Org(key=key, did=body["did"], token=body["apiToken"], id=body["id"])
    holder = holder_of(client)
    if holder is not None:
        delegate_example_prefixes(client, holder, org)
    return org


def sign_as(org_did: str, key: Ed25519PrivateKey, document: dict[str, Any], created: datetime | None = None):
    """Sign ``document`` (issuer = the organisation's did) with ``key``, any key of the organisation."""
    assert document["issuer"] == org_did
    return eddsa_jcs_2022.sign(document, key, verification_method_id(key), created=created or now())


def signed_activity(
    org: Org, key: Ed25519PrivateKey | None = None, subject: dict[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    created = options.pop("created", None)
    credential = build_credential(subject or activity(org.did), org.did, **options)
    return sign_as(org.did, key or org.key, credential, created)


def key_addition(
    org: Org, signer: Ed25519PrivateKey, new: Ed25519PrivateKey, retire: dict[str, Any] | None = None
) -> dict[str, Any]:
    new_did = did_key(new)
    possession = build_credential(
        {"id": new_did, "controller": org.did}, new_did, credential_type="KeyPossession"
    )
    possession = eddsa_jcs_2022.sign(possession, new, verification_method_id(new), created=now())
    subject: dict[str, Any] = {"id": org.did, "keyPossession": possession}
    if retire is not None:
        subject["retireKey"] = retire
    return sign_as(org.did, signer, build_credential(subject, org.did, credential_type="KeyAddition"))


def key_revocation(
    org: Org, signer: Ed25519PrivateKey, revoked: str, reason: str = "key lost"
) -> dict[str, Any]:
    subject = {"id": org.did, "revokeKey": revoked, "reason": reason}
    return sign_as(org.did, signer, build_credential(subject, org.did, credential_type="KeyRevocation"))


def key_retirement(org: Org, signer: Ed25519PrivateKey, retired: str, when: datetime | None = None):
    subject: dict[str, Any] = {"id": org.did, "retireKey": retired}
    if when is not None:
        subject["from"] = eddsa_jcs_2022.format_datetime(when)
    return sign_as(org.did, signer, build_credential(subject, org.did, credential_type="KeyRetirement"))


def counts(node: Any) -> dict[str, int]:
    with node.db.transaction() as session:
        return {
            t.__tablename__: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (*TABLES, HandleRecordRow)
        }


def assert_problem(resp: Any, status: int, problem: str, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
    body: dict[str, Any] = resp.json()
    assert body["status"] == status and body["type"] == f"/problems/{problem}", body
    if field is not None:
        assert body.get("field") == field, body
    return body


def put_record(client: Any, org: Org, handle: str, values: list[dict[str, Any]]) -> Any:
    return client.put(f"/api/handles/{handle}", json=values, headers=org.auth)


def name_value(text: str, index: int = 1) -> dict[str, Any]:
    return {"index": index, "type": "NAME", "data": {"format": "string", "value": text}}


def records_for_example(client: Any, owner: Org, other: Org) -> None:
    """Records for the example's handles: 88.118.8 belongs to ``owner``, 88.118.5 to ``other``."""
    for handle in (PRODUCT, MATERIALS[1]):
        assert put_record(client, owner, handle, [name_value(handle)]).status_code in (200, 201)
    assert put_record(client, other, MATERIALS[0], [name_value("alumina")]).status_code == 201


def later(seconds: float) -> datetime:
    return now() + timedelta(seconds=seconds)
