"""A standard Handle REST client resolves (and manages) records served by the node.

The client is ``pyhandle`` (EUDAT's maintained Handle library, PyPI), talking HTTP to the router
served by uvicorn on loopback; plus raw requests shaped exactly like the Handle.Net manual's curl
examples.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from identifier_resolver import HandleRecord, HandleValue, Resolver, parse_handle
from tests.identifier_resolver.helpers import OWNER_PREFIX, ServerThread, make_app, sample_store

HANDLE = f"{OWNER_PREFIX}/battery-pack-01"


@pytest.fixture
def node(served):
    store = sample_store()
    # pyhandle checks that the admin user's handle exists before writing
    store.put(
        HandleRecord.build(
            parse_handle(f"{OWNER_PREFIX}/ADMIN"),
            [
                HandleValue.from_json(
                    {
                        "index": 100,
                        "type": "HS_ADMIN",
                        "data": {
                            "format": "admin",
                            "value": {
                                "handle": f"0.NA/{OWNER_PREFIX}",
                                "index": 200,
                                "permissions": "011111110011",
                            },
                        },
                    }
                )
            ],
        )
    )
    server = ServerThread(make_app(store, Resolver(store, []))).start()
    served.append(server)
    return server, store


def test_pyhandle_resolves_a_record_served_by_the_node(node):
    rest = pytest.importorskip("pyhandle.client.resthandleclient")
    logging.getLogger("pyhandle").setLevel(logging.WARNING)
    server, _ = node
    client = rest.RESTHandleClient.instantiate_for_read_access(server.url)
    record = client.retrieve_handle_record_json(HANDLE)
    assert record["responseCode"] == 1 and record["handle"] == HANDLE
    assert client.get_value_from_handle(HANDLE, "GTIN") == "09506000134352"
    assert client.get_value_from_handle(HANDLE, "MANUFACTURER_USCC") == "91350100M000100Y43"
    assert client.retrieve_handle_record_json(f"{OWNER_PREFIX}/missing") is None
    flat = client.retrieve_handle_record(HANDLE)
    assert flat["CN_CODE"] == "85076000"


def test_pyhandle_registers_modifies_and_deletes_under_its_own_prefix(node):
    rest = pytest.importorskip("pyhandle.client.resthandleclient")
    server, store = node
    client = rest.RESTHandleClient.instantiate_with_username_and_password(
        server.url, f"300:{OWNER_PREFIX}/ADMIN", "s3cret", HTTPS_verify=False
    )
    new = f"{OWNER_PREFIX}/motor-42"
    assert client.register_handle(new, "https://motors.example.cn/42") == new
    assert store.get(parse_handle(new)).first("URL").value == "https://motors.example.cn/42"
    client.modify_handle_value(new, NAME="永磁同步电机 42")
    assert client.get_value_from_handle(new, "NAME") == "永磁同步电机 42"
    client.delete_handle(new)
    assert store.get(parse_handle(new)) is None


def test_raw_requests_as_in_the_handle_manual(node):
    server, _ = node
    # curl https://<server>/api/handles/<prefix>/<suffix>
    body = httpx.get(f"{server.url}/api/handles/{HANDLE}").json()
    assert body["responseCode"] == 1 and body["values"][0]["type"] == "URL"
    # curl 'https://<server>/api/handles/<handle>?type=URL&index=4'
    body = httpx.get(f"{server.url}/api/handles/{HANDLE}?type=URL&index=4").json()
    assert [v["index"] for v in body["values"]] == [1, 4]
    # a handle that does not exist: HTTP 404, responseCode 100
    response = httpx.get(f"{server.url}/api/handles/{OWNER_PREFIX}/nope")
    assert (response.status_code, response.json()["responseCode"]) == (404, 100)
