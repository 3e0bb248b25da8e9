"""KuboEvidenceStore against a server answering like Kubo's RPC API (see fake_kubo.py)."""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Iterator

import pytest

from node_service.evidence import (
    CidMismatchError,
    EvidenceNotFoundError,
    EvidenceStorageError,
    EvidenceStore,
    EvidenceTooLargeError,
    KuboEvidenceStore,
    KuboRpcError,
    cid_of_bytes,
)

from .fake_kubo import FakeKubo

DATA = os.urandom(700_000)  # three chunks: a dag-pb root


@pytest.fixture
def kubo() -> Iterator[FakeKubo]:
    with FakeKubo() as server:
        yield server


@pytest.fixture
def store(kubo: FakeKubo) -> Iterator[KuboEvidenceStore]:
    with KuboEvidenceStore(kubo.api_url, timeout=30) as client:
        yield client


def test_is_an_evidence_store(store: KuboEvidenceStore) -> None:
    assert isinstance(store, EvidenceStore)


def test_put_sends_kubo_cid_v1_flags_and_verifies_the_answer(
    kubo: FakeKubo, store: KuboEvidenceStore
) -> None:
    stored = store.put(io.BytesIO(DATA))
    ours = cid_of_bytes(DATA)
    assert (stored.cid, stored.sha256, stored.size) == (ours.cid, ours.sha256_hex, len(DATA))
    path, query = kubo.state.requests[0]
    assert path == "/api/v0/add"
    for flag, value in {
        "cid-version": "1",
        "raw-leaves": "true",
        "chunker": "size-262144",
        "pin": "true",
        "hash": "sha2-256",
    }.items():
        assert query[flag] == [value], flag
    assert kubo.state.blobs[stored.cid] == DATA
    assert stored.cid in kubo.state.pins


def test_exists_size_open(store: KuboEvidenceStore) -> None:
    stored = store.put(io.BytesIO(DATA))
    assert store.exists(stored.cid)
    assert store.size(stored.cid) == len(DATA)
    with store.open(stored.cid) as stream:
        assert stream.read() == DATA


def test_storing_twice_stores_once(kubo: FakeKubo, store: KuboEvidenceStore) -> None:
    assert store.put(io.BytesIO(DATA)) == store.put(io.BytesIO(DATA))
    assert len(kubo.state.blobs) == 1


def test_small_file_is_a_raw_leaf(store: KuboEvidenceStore) -> None:
    stored = store.put(io.BytesIO(b"hello world"))
    assert stored.cid == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"


def test_pin(kubo: FakeKubo, store: KuboEvidenceStore) -> None:
    stored = store.put(io.BytesIO(b"pin me"))
    kubo.state.pins.clear()
    assert not store.exists(stored.cid)
    store.pin(stored.cid)
    assert store.exists(stored.cid)


def test_node_answering_another_cid_is_refused_and_unpinned(kubo: FakeKubo, store: KuboEvidenceStore) -> None:
    wrong = cid_of_bytes(b"something else").cid
    kubo.state.answer_cid = wrong
    with pytest.raises(CidMismatchError, match=f"answered CID {wrong}"):
        store.put(io.BytesIO(DATA))
    assert wrong not in kubo.state.pins
    assert any(path == "/api/v0/pin/rm" for path, _ in kubo.state.requests)


def test_corrupted_cat_is_detected(kubo: FakeKubo, store: KuboEvidenceStore) -> None:
    stored = store.put(io.BytesIO(DATA))
    kubo.state.corrupt_cat = True
    with store.open(stored.cid) as stream, pytest.raises(CidMismatchError, match="Kubo node"):
        stream.read()


def test_unknown_cid(store: KuboEvidenceStore) -> None:
    missing = cid_of_bytes(b"never added").cid
    assert not store.exists(missing)
    with pytest.raises(EvidenceNotFoundError, match="not pinned"):
        store.open(missing)
    with pytest.raises(EvidenceNotFoundError):
        store.size(missing)


def test_rpc_error_is_reported_with_kubo_message(kubo: FakeKubo, store: KuboEvidenceStore) -> None:
    kubo.state.pin_ls_error = "pinning service not available"
    with pytest.raises(KuboRpcError, match="HTTP 500: pinning service not available"):
        store.exists(cid_of_bytes(b"x").cid)


def test_too_large_upload_is_stopped(kubo: FakeKubo) -> None:
    with KuboEvidenceStore(kubo.api_url, max_size=1000) as small:
        with pytest.raises(EvidenceTooLargeError, match="more than 1000 bytes"):
            small.put(io.BytesIO(b"a" * 5000))
    assert kubo.state.blobs == {}


def test_unreachable_node() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with KuboEvidenceStore(f"http://127.0.0.1:{port}", timeout=2) as store:
        with pytest.raises(EvidenceStorageError, match="cannot reach the RPC API"):
            store.put(io.BytesIO(b"data"))
