"""Recursive resolution against upstream Handle REST servers running on loopback (uvicorn)."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from identifier_resolver import (
    HandleClient,
    HandleNotFoundError,
    HandleRecord,
    HandleValue,
    InMemoryHandleStore,
    NotResponsibleError,
    RecursionLimitError,
    Resolver,
    UpstreamError,
    parse_handle,
)
from tests.identifier_resolver.helpers import OWNER_PREFIX, ServerThread, make_app, sample_store

UPSTREAM_PREFIX = "88.2000.555"
UPSTREAM_HANDLE = f"{UPSTREAM_PREFIX}/steel-coil-9"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def upstream_store(ttl: int = 120) -> InMemoryHandleStore:
    store = InMemoryHandleStore([UPSTREAM_PREFIX])
    store.put(
        HandleRecord.build(
            parse_handle(UPSTREAM_HANDLE),
            [
                HandleValue.string(1, "URL", "https://steel.example.cn/coil-9", ttl=ttl),
                HandleValue.string(2, "CN_CODE", "72083900", ttl=3600),
            ],
        )
    )
    return store


def start_upstream(served, store: InMemoryHandleStore, upstreams: list[str] | None = None) -> ServerThread:
    server = ServerThread(make_app(store, Resolver(store, upstreams or []))).start()
    served.append(server)
    return server


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_authoritative_records_come_from_the_store(store):
    resolver = Resolver(store, [])
    resolution = resolver.resolve(f"{OWNER_PREFIX}/battery-pack-01")
    assert resolution.source == "store" and resolution.authoritative
    with pytest.raises(HandleNotFoundError):
        resolver.resolve(f"{OWNER_PREFIX}/missing")
    with pytest.raises(NotResponsibleError):
        resolver.resolve(UPSTREAM_HANDLE)


def test_recursive_resolution_and_cache_respects_record_ttl(served):
    upstream_data = upstream_store(ttl=120)
    upstream = start_upstream(served, upstream_data)
    clock = FakeClock()
    resolver = Resolver(sample_store(), [upstream.url], cache_ttl=300, timeout=2, clock=clock)
    first = resolver.resolve(UPSTREAM_HANDLE)
    assert first.source == upstream.url
    assert first.record.first("CN_CODE").value == "72083900"
    # the upstream changes; our cached copy lives min(cache_ttl=300, smallest value ttl=120) seconds
    upstream_data.put(
        HandleRecord.build(parse_handle(UPSTREAM_HANDLE), [HandleValue.string(1, "URL", "https://new")])
    )
    clock.now += 119
    assert resolver.resolve(UPSTREAM_HANDLE.upper()).source == "cache"
    clock.now += 2
    again = resolver.resolve(UPSTREAM_HANDLE)
    assert again.source == upstream.url and again.record.first("URL").value == "https://new"
    resolver.close()


def test_cache_ttl_caps_record_ttl_and_zero_disables(served):
    upstream = start_upstream(served, upstream_store(ttl=3600))
    clock = FakeClock()
    resolver = Resolver(InMemoryHandleStore(), [upstream.url], cache_ttl=10, timeout=2, clock=clock)
    resolver.resolve(UPSTREAM_HANDLE)
    clock.now += 9
    assert resolver.resolve(UPSTREAM_HANDLE).source == "cache"
    clock.now += 2
    assert resolver.resolve(UPSTREAM_HANDLE).source == upstream.url
    no_cache = Resolver(InMemoryHandleStore(), [upstream.url], cache_ttl=0, timeout=2, clock=clock)
    no_cache.resolve(UPSTREAM_HANDLE)
    assert no_cache.resolve(UPSTREAM_HANDLE).source == upstream.url


def test_cache_is_bounded(served):
    upstream_data = upstream_store()
    for n in range(3):
        upstream_data.put(
            HandleRecord.build(parse_handle(f"{UPSTREAM_PREFIX}/{n}"), [HandleValue.string(1, "A", "x")])
        )
    upstream = start_upstream(served, upstream_data)
    resolver = Resolver(InMemoryHandleStore(), [upstream.url], max_entries=2)
    for n in range(3):
        resolver.resolve(f"{UPSTREAM_PREFIX}/{n}")
    assert resolver.resolve(f"{UPSTREAM_PREFIX}/2").source == "cache"
    assert resolver.resolve(f"{UPSTREAM_PREFIX}/0").source == upstream.url  # evicted first


def test_node_router_resolves_recursively_over_http(served):
    upstream = start_upstream(served, upstream_store())
    node_store = sample_store()
    node = ServerThread(make_app(node_store, Resolver(node_store, [upstream.url]))).start()
    served.append(node)
    with HandleClient(node.url) as client:
        record = client.get_record(UPSTREAM_HANDLE, types=["CN_CODE"])
        assert [(v.index, v.value) for v in record.values] == [(2, "72083900")]
        assert client.get_record(f"{OWNER_PREFIX}/battery-pack-01").first("GTIN").value == "09506000134352"
        with pytest.raises(HandleNotFoundError):
            client.get_record(f"{UPSTREAM_PREFIX}/unknown")


def test_unknown_everywhere_is_not_found_and_next_upstream_is_tried(served):
    empty = start_upstream(served, InMemoryHandleStore([UPSTREAM_PREFIX]))
    full = start_upstream(served, upstream_store())
    resolver = Resolver(InMemoryHandleStore(), [closed_port_url(), empty.url, full.url], timeout=2)
    assert resolver.resolve(UPSTREAM_HANDLE).source == full.url
    with pytest.raises(HandleNotFoundError) as info:
        resolver.resolve(f"{UPSTREAM_PREFIX}/nothing")
    assert "not found" in str(info.value)


def test_timeout_and_unreachable_upstreams_raise_upstream_error(served):
    slow_app = FastAPI()

    @slow_app.get("/api/handles/{handle:path}")
    async def slow(handle: str) -> JSONResponse:
        await asyncio.sleep(2)
        return JSONResponse({"responseCode": 1, "handle": handle, "values": []})

    slow_server = ServerThread(slow_app).start()
    served.append(slow_server)
    resolver = Resolver(InMemoryHandleStore(), [slow_server.url, closed_port_url()], timeout=0.3)
    started = time.monotonic()
    with pytest.raises(UpstreamError) as info:
        resolver.resolve(UPSTREAM_HANDLE)
    assert time.monotonic() - started < 1.5
    assert "timed out" in str(info.value) and len(info.value.failures) == 2


def test_broken_upstream_body_is_an_upstream_error(served):
    bad_app = FastAPI()

    @bad_app.get("/api/handles/{handle:path}")
    def bad(handle: str) -> JSONResponse:
        return JSONResponse({"values": "nope"})

    bad_server = ServerThread(bad_app).start()
    served.append(bad_server)
    with pytest.raises(UpstreamError) as info:
        Resolver(InMemoryHandleStore(), [bad_server.url]).resolve(UPSTREAM_HANDLE)
    assert "responseCode" in str(info.value)


def test_forwarding_loop_stops_at_hop_limit(served):
    # two nodes that list each other as upstream, neither authoritative for the prefix
    a_store, b_store = InMemoryHandleStore(), InMemoryHandleStore()
    a_resolver, b_resolver = Resolver(a_store, [], timeout=5), Resolver(b_store, [], timeout=5)
    a = ServerThread(make_app(a_store, a_resolver)).start()
    b = ServerThread(make_app(b_store, b_resolver)).start()
    served.extend([a, b])
    a_resolver.upstreams, b_resolver.upstreams = [b.url], [a.url]
    a_resolver._clients, b_resolver._clients = [HandleClient(b.url)], [HandleClient(a.url)]
    with pytest.raises(UpstreamError) as info:
        a_resolver.resolve(UPSTREAM_HANDLE)
    assert "responseCode 6" in str(info.value)
    with pytest.raises(RecursionLimitError):
        a_resolver.resolve(UPSTREAM_HANDLE, hops=4)


def test_router_maps_upstream_failures_to_code_2(store):
    resolver = Resolver(store, [closed_port_url()], timeout=0.5)
    client = TestClient(make_app(store, resolver))
    response = client.get(f"/api/handles/{UPSTREAM_HANDLE}")
    assert (response.status_code, response.json()["responseCode"]) == (500, 2)


def test_resolver_settings_are_checked(store):
    with pytest.raises(ValueError, match="timeout"):
        Resolver(store, [], timeout=0)
