"""Registry: USCC check character, IDIS enterprise prefixes, contacts, roles; the public profile."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from node_service.app import create_app
from tests.node_service.services.organisations.helpers import (
    VALID_USCC,
    assert_problem,
    counts,
    register,
    registration,
)

CONTACT = {"name": "Li Wei", "role": "carbon accounting", "email": "li.wei@smelter.example.cn"}


def test_profile_shows_registry_data_on_sqlite_and_postgresql(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        org = register(client, "Smelter", uscc=VALID_USCC, idisPrefixes=["88.118.8"], contacts=[CONTACT])
        body = client.get(f"/organisations/{org.did}").json()
    assert body["did"] == org.did and body["uscc"] == VALID_USCC
    assert body["idisPrefixes"] == ["88.118.8"] and body["contacts"] == [CONTACT]
    assert body["roles"] == ["supplier"]
    assert [(k["id"], k["status"]) for k in body["keys"]] == [(org.did, "active")]
    assert "apiToken" not in body


def test_lowercase_uscc_is_normalised(client):
    org = register(client, "S", uscc=VALID_USCC.lower())
    assert client.get(f"/organisations/{org.did}").json()["uscc"] == VALID_USCC


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ({"uscc": VALID_USCC[:-1] + "U"}, "credentialSubject.uscc"),  # wrong check character
        ({"uscc": "91530100MA6K8Q2L5"}, "credentialSubject.uscc"),  # 17 characters
        ({"uscc": "91530100MA6K8Q2LIT"}, "credentialSubject.uscc"),  # I is not in the GB 32100 set
        ({"idisPrefixes": ["88.118"]}, "credentialSubject.idisPrefixes[0]"),  # no enterprise code
        ({"idisPrefixes": ["88.abc.1"]}, "credentialSubject.idisPrefixes[0]"),  # industry not numeric
        ({"idisPrefixes": ["88.118.8", "20.500.1"]}, "credentialSubject.idisPrefixes[1]"),  # not IDIS
        ({"idisPrefixes": ["88.118.8", "88.118.8"]}, "credentialSubject.idisPrefixes[1]"),
        ({"idisPrefixes": ["88.118.8/x"]}, "credentialSubject.idisPrefixes[0]"),
        ({"idisPrefixes": "88.118.8"}, "credentialSubject.idisPrefixes"),
        ({"contacts": [{"name": "x", "email": "not-an-address"}]}, "credentialSubject.contacts[0].email"),
        ({"contacts": [{"name": "x"}]}, "credentialSubject.contacts[0]"),
        ({"contacts": [{"name": "x", "email": "a@b.cn", "fax": "1"}]}, "credentialSubject.contacts[0]"),
        ({"roles": ["supplier", "wizard"]}, "credentialSubject.roles"),
    ],
)
def test_bad_registration_names_the_field_and_stores_nothing(client, node, subject, field):
    before = counts(node)
    doc = registration(Ed25519PrivateKey.generate(), "S", **subject)
    assert_problem(client.post("/organisations", json=doc), 422, "validation-failed", field)
    assert counts(node) == before


def test_prefix_and_uscc_belong_to_one_organisation(client, node):
    register(client, "First", uscc=VALID_USCC, idisPrefixes=["88.118.8"])
    before = counts(node)
    doc = registration(Ed25519PrivateKey.generate(), "Second", idisPrefixes=["88.118.9", "88.118.8"])
    assert_problem(
        client.post("/organisations", json=doc), 409, "conflict", "credentialSubject.idisPrefixes[1]"
    )
    doc = registration(Ed25519PrivateKey.generate(), "Third", uscc=VALID_USCC)
    assert_problem(client.post("/organisations", json=doc), 409, "conflict")
    assert counts(node) == before


def test_unknown_organisation_is_404(client):
    assert_problem(client.get("/organisations/did:key:z6MkNobody"), 404, "not-found")
