"""The per-process caches on the read path: verified tokens still expire, and rendered documents are keyed by
status so a deprecation is never served stale."""

from __future__ import annotations

import time
from typing import Any

import pytest

from node_service.services.pact.errors import BadRequest, TokenExpired
from node_service.services.pact.management.tokens import NodeKeys, issue_access_token, verify_access_token
from node_service.services.pact.reads._rendered import RenderedCache, dumps

KEYS = NodeKeys(token_key=b"k" * 32, seal_key=b"s" * 32)


def test_cached_token_still_expires() -> None:
    token, ttl = issue_access_token(KEYS, "client", "org", 60, secret_hash="h")
    first = verify_access_token(KEYS, token)
    assert verify_access_token(KEYS, token) is first  # cached
    with pytest.raises(TokenExpired):
        verify_access_token(KEYS, token, now=time.time() + ttl + 1)
    other = NodeKeys(token_key=b"x" * 32, seal_key=b"s" * 32)
    with pytest.raises(BadRequest, match="signature"):
        verify_access_token(other, token)  # the cache is per key: another node's key does not accept it


def test_rendered_cache_keys_by_status_and_evicts_least_recent() -> None:
    stored: dict[str, dict[str, Any]] = {
        "a": {"id": "a", "status": "Active"},
        "b": {"id": "b", "status": "Active"},
    }
    loads: list[list[str]] = []

    def load(ids: list[str]) -> dict[str, dict[str, Any]]:
        loads.append(ids)
        return {i: dict(stored[i]) for i in ids if i in stored}

    def render(doc: dict[str, Any]) -> dict[str, Any]:
        return {**doc, "base": "https://h"}

    cache = RenderedCache(capacity=2)
    got = cache.fragments([("a", "Active"), ("b", "Active"), ("gone", "Active")], "https://h", load, render)
    assert got == [dumps({"id": "a", "status": "Active", "base": "https://h"}), dumps(render(stored["b"]))]
    assert loads == [["a", "b", "gone"]]
    assert cache.fragments([("b", "Active"), ("a", "Active")], "https://h", load, render)[0] == got[1]
    assert len(loads) == 1  # both cached
    stored["a"]["status"] = "Deprecated"
    deprecated = cache.fragments([("a", "Deprecated")], "https://h", load, render)
    assert b'"Deprecated"' in deprecated[0] and loads[-1] == ["a"]
    # capacity 2: ("b", Active) was least recently used and is gone; ("a", Active) stays until pushed out
    cache.fragments([("b", "Active")], "https://h", load, render)
    assert loads[-1] == ["b"]
    assert cache.fragments([("a", "Active")], "https://other", load, render) and loads[-1] == ["a"]
