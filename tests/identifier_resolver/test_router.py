"""The Handle REST API router through fastapi's TestClient: every responseCode it can answer."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from identifier_resolver import Resolver, parse_handle
from tests.identifier_resolver.helpers import OTHER_PREFIX, OWNER_PREFIX, make_app

HANDLE = f"{OWNER_PREFIX}/battery-pack-01"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user.replace(':', '%3A')}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


OWNER = basic("300:88.1000.12345/ADMIN", "s3cret")
OTHER = basic("300:88.1000.67890/ADMIN", "other")


@pytest.fixture
def client(store):
    return TestClient(make_app(store, Resolver(store, [])))


def test_resolve_success_code_1(client):
    response = client.get(f"/api/handles/{HANDLE}")
    assert response.status_code == 200
    body = response.json()
    assert body["responseCode"] == 1 and body["handle"] == HANDLE
    first = body["values"][0]
    assert set(first) == {"index", "type", "data", "ttl", "timestamp"}
    assert first["data"] == {
        "format": "string",
        "value": "https://supplier.example.cn/products/battery-pack-01",
    }
    assert [v["index"] for v in body["values"]] == [1, 2, 3, 4, 5, 6, 7]


def test_resolve_is_ascii_case_insensitive(client):
    body = client.get(f"/api/handles/{HANDLE.upper()}").json()
    assert body["responseCode"] == 1 and body["handle"] == HANDLE.upper()


def test_type_and_index_filters_match_either(client):
    body = client.get(f"/api/handles/{HANDLE}", params=[("type", "GTIN"), ("index", "2")]).json()
    assert [(v["index"], v["type"]) for v in body["values"]] == [(2, "NAME"), (4, "GTIN")]
    body = client.get(f"/api/handles/{HANDLE}", params={"type": "url"}).json()
    assert [v["index"] for v in body["values"]] == [1]
    body = client.get(f"/api/handles/{HANDLE}", params={"type": "URL."}).json()  # subtypes included
    assert [v["index"] for v in body["values"]] == [1, 7]


def test_values_not_found_code_200_is_http_200(client):
    response = client.get(f"/api/handles/{HANDLE}", params={"type": "EMAIL"})
    assert response.status_code == 200
    assert response.json() == {"responseCode": 200, "handle": HANDLE, "values": []}


def test_handle_not_found_code_100(client):
    response = client.get(f"/api/handles/{OWNER_PREFIX}/nope")
    assert response.status_code == 404
    assert response.json()["responseCode"] == 100
    assert "not found" in response.json()["message"]


def test_invalid_handle_code_102(client):
    response = client.get("/api/handles/88.abc.1/x")
    assert response.status_code == 400
    assert response.json()["responseCode"] == 102
    assert "idis-prefix" in response.json()["message"]


def test_bad_index_parameter_is_code_202(client):
    response = client.get(f"/api/handles/{HANDLE}", params={"index": "one"})
    assert response.status_code == 400 and response.json()["responseCode"] == 202


def test_not_responsible_code_301(client):
    response = client.get("/api/handles/10.1045/april2006-paskin")
    assert response.status_code == 400
    assert response.json()["responseCode"] == 301


def test_put_creates_201_then_replaces_200_and_stamps(client, store):
    handle = f"{OWNER_PREFIX}/motor-7"
    values = [
        {"index": 1, "type": "URL", "data": {"format": "string", "value": "https://x.example/m7"}},
        {"index": 2, "type": "NAME", "data": "电机 7"},
    ]
    response = client.put(f"/api/handles/{handle}", json=values, headers=OWNER)
    assert (response.status_code, response.json()) == (201, {"responseCode": 1, "handle": handle})
    record = store.get(parse_handle(handle))
    assert record is not None and record.values[0].timestamp.endswith("Z")
    assert record.values[1].value == "电机 7" and record.values[1].ttl == 86400
    response = client.put(f"/api/handles/{handle}", json={"values": values[:1]}, headers=OWNER)
    assert response.status_code == 200
    assert [v.index for v in store.get(parse_handle(handle)).values] == [1]


def test_put_overwrite_false_code_101_and_201(client):
    one = [{"index": 1, "type": "NAME", "data": "x"}]
    assert (
        client.put(f"/api/handles/{HANDLE}?overwrite=false", json=one, headers=OWNER).json()["responseCode"]
        == 101
    )
    response = client.put(f"/api/handles/{HANDLE}?index=1&overwrite=false", json=one, headers=OWNER)
    assert (response.status_code, response.json()["responseCode"]) == (409, 201)


def test_put_index_merges(client, store):
    value = {"index": 9, "type": "DESC", "data": "note"}
    response = client.put(f"/api/handles/{HANDLE}?index=9", json=value, headers=OWNER)
    assert response.status_code == 200
    assert [v.index for v in store.get(parse_handle(HANDLE)).values] == [1, 2, 3, 4, 5, 6, 7, 9]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"index": 0, "type": "URL", "data": "https://x"}, "index"),
        ({"index": 1, "type": "", "data": "x"}, "type"),
        ({"index": 1, "type": "URL", "data": "ftp://x"}, "URL"),
        ({"index": 1, "type": "GTIN", "data": "4006381333932"}, "gtin-check-digit"),
        ({"index": 1, "type": "MANUFACTURER_USCC", "data": "91350100M000100Y44"}, "uscc-check-character"),
        ({"index": 1, "type": "CN_CODE", "data": "7601"}, "CN_CODE"),
        ({"index": 1, "type": "PCF_ID", "data": "not-a-uuid"}, "PCF_ID"),
        ({"index": 1, "type": "X", "data": {"format": "base64", "value": "***"}}, "base64"),
        ({"index": 1, "type": "X", "data": {"format": "blob", "value": "x"}}, "format"),
        ({"index": 1, "type": "X", "data": "x", "ttl": -1}, "ttl"),
    ],
)
def test_put_invalid_value_code_202_and_nothing_stored(client, store, value, field):
    before = store.get(parse_handle(HANDLE))
    response = client.put(f"/api/handles/{HANDLE}", json=[value], headers=OWNER)
    assert (response.status_code, response.json()["responseCode"]) == (400, 202)
    assert field in response.json()["message"]
    assert store.get(parse_handle(HANDLE)) == before


def test_put_duplicate_index_and_bad_json_are_202(client):
    twice = [{"index": 1, "type": "A", "data": "x"}, {"index": 1, "type": "B", "data": "y"}]
    assert client.put(f"/api/handles/{HANDLE}", json=twice, headers=OWNER).json()["responseCode"] == 202
    response = client.put(f"/api/handles/{HANDLE}", content=b"{nope", headers=OWNER)
    assert response.json()["responseCode"] == 202


def test_authentication_needed_code_402(client):
    response = client.put(f"/api/handles/{HANDLE}", json=[{"index": 1, "type": "A", "data": "x"}])
    assert (response.status_code, response.json()["responseCode"]) == (401, 402)
    assert response.headers["www-authenticate"].startswith("Basic")
    wrong = basic("300:88.1000.12345/ADMIN", "guess")
    assert client.delete(f"/api/handles/{HANDLE}", headers=wrong).status_code == 401


def test_other_organisation_is_refused_code_401_http_403(client, store):
    response = client.put(
        f"/api/handles/{HANDLE}", json=[{"index": 1, "type": "A", "data": "x"}], headers=OTHER
    )
    assert (response.status_code, response.json()["responseCode"]) == (403, 401)
    assert client.delete(f"/api/handles/{HANDLE}", headers=OTHER).status_code == 403
    assert store.get(parse_handle(HANDLE)) is not None
    # … while it manages its own prefix
    own = f"{OTHER_PREFIX}/x"
    assert (
        client.put(
            f"/api/handles/{own}", json=[{"index": 1, "type": "A", "data": "x"}], headers=OTHER
        ).status_code
        == 201
    )


def test_management_outside_our_prefixes_is_301(client):
    response = client.put(
        "/api/handles/10.1045/x", json=[{"index": 1, "type": "A", "data": "x"}], headers=OWNER
    )
    assert (response.status_code, response.json()["responseCode"]) == (400, 301)


def test_no_authorize_means_read_only(store):
    client = TestClient(make_app(store, Resolver(store, []), authorize=None))
    assert client.get(f"/api/handles/{HANDLE}").status_code == 200
    assert client.delete(f"/api/handles/{HANDLE}", headers=OWNER).status_code == 401


def test_delete_values_then_record(client, store):
    assert client.delete(f"/api/handles/{HANDLE}?index=99", headers=OWNER).json()["responseCode"] == 200
    response = client.delete(f"/api/handles/{HANDLE}?index=7&index=6", headers=OWNER)
    assert response.status_code == 200
    assert [v.index for v in store.get(parse_handle(HANDLE)).values] == [1, 2, 3, 4, 5]
    assert client.delete(f"/api/handles/{HANDLE}", headers=OWNER).json() == {
        "responseCode": 1,
        "handle": HANDLE,
    }
    assert client.get(f"/api/handles/{HANDLE}").status_code == 404
    assert client.delete(f"/api/handles/{HANDLE}", headers=OWNER).status_code == 404


def test_list_handles_by_prefix(client):
    for n in range(3):
        client.put(
            f"/api/handles/{OWNER_PREFIX}/p{n}", json=[{"index": 1, "type": "A", "data": "x"}], headers=OWNER
        )
    body = client.get("/api/handles", params={"prefix": OWNER_PREFIX}, headers=OWNER).json()
    assert body["responseCode"] == 1 and body["totalCount"] == 4
    assert body["handles"] == [HANDLE] + [f"{OWNER_PREFIX}/p{n}" for n in range(3)]
    page = client.get(
        "/api/handles", params={"prefix": OWNER_PREFIX, "page": 1, "pageSize": 3}, headers=OWNER
    )
    assert page.json()["handles"] == [f"{OWNER_PREFIX}/p2"]
    assert client.get("/api/handles", params={"prefix": OWNER_PREFIX}).status_code == 401
    assert client.get("/api/handles", params={"prefix": OWNER_PREFIX}, headers=OTHER).status_code == 403
    assert client.get("/api/handles").json()["responseCode"] == 202


def test_percent_encoded_suffix(client):
    handle = f"{OWNER_PREFIX}/a b?c#d"
    path = parse_handle(handle).url_path()
    assert (
        client.put(
            f"/api/handles/{path}", json=[{"index": 1, "type": "A", "data": "x"}], headers=OWNER
        ).status_code
        == 201
    )
    body = client.get(f"/api/handles/{path}").json()
    assert body["responseCode"] == 1 and body["handle"] == handle
