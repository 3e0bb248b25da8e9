"""The importer shares its hashing with a worker thread: the results must not depend on how it was split."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import random

import pytest

from node_service.evidence import BalancedFileImporter, cid_of_bytes, cid_of_stream, unixfs

SIZES = [0, 1, 131_071, 131_072, 262_143, 262_144, 262_145, 524_288, 524_289, 3 * 262_144 + 5, 5_000_000]


def serial(data: bytes, *, sha256: bool = True) -> unixfs.CidResult:
    """The importer fed in 4 KiB pieces: below PARALLEL_MIN_BYTES, so everything is hashed in this thread."""
    importer = BalancedFileImporter(sha256=sha256)
    for start in range(0, len(data), 4096):
        importer.update(data[start : start + 4096])
    return importer.finalize()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("sha256", [True, False])
def test_parallel_and_serial_hashing_agree(size: int, sha256: bool) -> None:
    data = random.Random(size).randbytes(size)
    want = serial(data, sha256=sha256)
    assert want.sha256_hex == (hashlib.sha256(data).hexdigest() if sha256 else "")
    # one big update (windows of 16 chunks), the stream reader (512 KiB reads), and random piece sizes
    whole = BalancedFileImporter(sha256=sha256)
    whole.update(data)
    assert whole.finalize() == want
    assert cid_of_stream(io.BytesIO(data), sha256=sha256) == want
    rng, importer, start = random.Random(7), BalancedFileImporter(sha256=sha256), 0
    while start < len(data):
        step = rng.choice([1, 1000, 131_072, 262_144, 300_000, 700_000])
        importer.update(memoryview(data)[start : start + step])
        start += step
    assert importer.finalize() == want


def test_the_sink_gets_every_byte_in_order_and_its_errors_surface() -> None:
    data = os.urandom(3_000_000)
    out = io.BytesIO()
    result = cid_of_stream(io.BytesIO(data), sink=out.write)
    assert out.getvalue() == data
    assert result == cid_of_bytes(data)

    def failing(piece: memoryview) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        cid_of_stream(io.BytesIO(data), sink=failing)


def _child(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(cid_of_bytes(b"\x01" * 2_000_000).cid)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_gets_its_own_hashing_workers() -> None:
    want = cid_of_bytes(b"\x01" * 2_000_000).cid  # the parent's pool exists now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue,))
    child.start()
    try:
        assert queue.get(timeout=60) == want
    finally:
        child.join(timeout=60)
    assert child.exitcode == 0
