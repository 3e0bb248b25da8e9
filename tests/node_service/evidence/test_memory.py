"""The importer never holds the file: 50 MiB streamed with a small, fixed peak of Python memory."""

from __future__ import annotations

import io
import tracemalloc

from node_service.evidence import cid_of_stream


class Generated(io.RawIOBase):
    """`size` bytes of a counter pattern, produced on demand (nothing to hold in memory)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = bytes(range(256)) * 4096  # 1 MiB pattern

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.left, len(self.block))
        buffer[:count] = memoryview(self.block)[:count]  # no copy: only the importer's memory is measured
        self.left -= count
        return count


def test_peak_memory_is_bounded() -> None:
    size = 50 * 1024 * 1024
    stream = Generated(size)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = cid_of_stream(stream)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.size == size
    # One 512 KiB read buffer (two chunks, one per hashing thread) plus a few pending links; far below the
    # 50 MiB file.
    assert peak < 1024 * 1024, f"peak {peak} bytes"
