"""Local directory store: dedupe, 100 MiB limit enforced while streaming, atomic writes, verified reads."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from node_service.evidence import (
    MAX_EVIDENCE_SIZE,
    CidMismatchError,
    EvidenceNotFoundError,
    EvidenceStore,
    EvidenceTooLargeError,
    InvalidCidError,
    LocalEvidenceStore,
    cid_of_bytes,
)
from node_service.evidence.unixfs import READ_BUFFER_SIZE

DATA = os.urandom(600_000)  # three chunks, a dag-pb root


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


def test_is_an_evidence_store(tmp_path: Path) -> None:
    assert isinstance(LocalEvidenceStore(tmp_path), EvidenceStore)
    assert LocalEvidenceStore(tmp_path).max_size == MAX_EVIDENCE_SIZE == 100 * 1024 * 1024


def test_put_open_exists_size(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    stored = store.put(io.BytesIO(DATA))
    expected = cid_of_bytes(DATA)
    assert (stored.cid, stored.sha256, stored.size) == (expected.cid, expected.sha256_hex, len(DATA))
    assert store.exists(stored.cid)
    assert store.size(stored.cid) == len(DATA)
    with store.open(stored.cid) as stream:
        assert stream.read() == DATA
    path = store.path_of(stored.cid)
    assert path.parent.name == stored.cid[-3:-1]
    assert not os.access(path, os.W_OK) or os.geteuid() == 0


def test_storing_twice_stores_once(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    first = store.put(io.BytesIO(DATA))
    second = store.put(io.BytesIO(DATA))
    assert first == second
    assert files_under(tmp_path / "blobs") == [store.path_of(first.cid)]
    assert files_under(tmp_path / "tmp") == []


def test_size_limit_enforced_while_streaming(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path, max_size=1000)
    consumed: list[int] = []

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            consumed.append(len(buffer))
            buffer[:] = b"\x00" * len(buffer)
            return len(buffer)

    with pytest.raises(EvidenceTooLargeError, match="more than 1000 bytes"):
        store.put(Endless())  # type: ignore[arg-type]
    assert (
        sum(consumed) <= READ_BUFFER_SIZE
    )  # stopped after the first read (two chunks), not the "whole file"
    assert files_under(tmp_path) == []


def test_exactly_at_the_limit_is_accepted(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path, max_size=1000)
    assert store.put(io.BytesIO(b"z" * 1000)).size == 1000
    with pytest.raises(EvidenceTooLargeError):
        store.put(io.BytesIO(b"z" * 1001))


def test_failing_source_leaves_nothing(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)

    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            self.calls += 1
            if self.calls > 2:
                raise OSError("connection reset by peer")
            buffer[:100] = b"y" * 100
            return 100

    with pytest.raises(OSError, match="connection reset"):
        store.put(Broken())  # type: ignore[arg-type]
    assert files_under(tmp_path) == []


def test_corrupted_blob_is_detected_on_read(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    stored = store.put(io.BytesIO(DATA))
    path = store.path_of(stored.cid)
    os.chmod(path, 0o644)
    path.write_bytes(DATA[:-1] + bytes([DATA[-1] ^ 1]))
    with store.open(stored.cid) as stream:
        with pytest.raises(CidMismatchError, match="corrupt"):
            stream.read()
        with pytest.raises(CidMismatchError):  # reading again does not hide the failure
            stream.read()


def test_missing_and_invalid_cids(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    missing = cid_of_bytes(b"never stored").cid
    assert not store.exists(missing)
    with pytest.raises(EvidenceNotFoundError, match="not in the local store"):
        store.open(missing)
    with pytest.raises(EvidenceNotFoundError):
        store.size(missing)
    for bad in ["../../etc/passwd", "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n", ""]:
        with pytest.raises(InvalidCidError):
            store.exists(bad)


def test_empty_file(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    stored = store.put(io.BytesIO(b""))
    assert stored.cid == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    with store.open(stored.cid) as stream:
        assert stream.read() == b""
