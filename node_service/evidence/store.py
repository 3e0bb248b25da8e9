"""The evidence store interface and a reader that checks bytes against their CID.

Every backend stores a file under its CID (see ``node_service.evidence.unixfs``);
storing the same bytes twice stores them once and returns the same
``StoredEvidence``. Reading returns a binary stream that raises
``CidMismatchError`` at end of file if the bytes read do not hash to the CID
asked for, so a corrupted disk or a misbehaving node is noticed by the reader.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable

from node_service.evidence.errors import CidMismatchError
from node_service.evidence.unixfs import BalancedFileImporter

__all__ = [
    "MAX_EVIDENCE_SIZE",
    "EvidenceStore",
    "StoredEvidence",
    "VerifyingReader",
    "open_verified",
]

MAX_EVIDENCE_SIZE = 100 * 1024 * 1024  # 100 MiB, DESIGN.md "Evidence"


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    """A stored file: CIDv1 (base32), hex SHA-256 of the bytes, size in bytes."""

    cid: str
    sha256: str
    size: int


@runtime_checkable
class EvidenceStore(Protocol):
    """What every evidence backend offers."""

    def put(self, stream: BinaryIO) -> StoredEvidence:
        """Store everything readable from ``stream``; idempotent for equal bytes."""
        ...

    def open(self, cid: str) -> BinaryIO:
        """A binary stream of the file; it checks the bytes against ``cid`` at EOF."""
        ...

    def exists(self, cid: str) -> bool:
        """Whether a file is stored under ``cid``."""
        ...

    def size(self, cid: str) -> int:
        """Size in bytes of the file stored under ``cid``."""
        ...


class VerifyingReader(io.RawIOBase):
    """Raw stream over ``readinto`` that re-imports what it returns and checks the CID at EOF."""

    def __init__(
        self,
        readinto: Callable[[memoryview], int],
        expected_cid: str,
        *,
        on_close: Callable[[], object] | None = None,
        source: str = "evidence store",
    ) -> None:
        super().__init__()
        self._readinto = readinto
        self._expected_cid = expected_cid
        self._on_close = on_close
        self._source = source
        self._importer = BalancedFileImporter(sha256=False)
        self._checked = False
        self._failure: CidMismatchError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        count = self._readinto(view)
        if count:
            self._importer.update(view[:count])
            return count
        self._check()
        return 0

    def _check(self) -> None:
        # Every read at or after EOF repeats the verdict, so a failure cannot be read past.
        if not self._checked:
            self._checked = True
            got = self._importer.finalize().cid
            if got != self._expected_cid:
                self._failure = CidMismatchError(
                    f"evidence {self._expected_cid}: the {self._source} returned bytes whose CID is {got} — "
                    "the stored copy is corrupt or was replaced; restore it from a good copy"
                )
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        if not self.closed and self._on_close is not None:
            self._on_close()
        super().close()


def open_verified(
    readinto: Callable[[memoryview], int],
    expected_cid: str,
    *,
    on_close: Callable[[], object] | None = None,
    source: str = "evidence store",
) -> BinaryIO:
    """A buffered binary stream over a ``VerifyingReader``."""
    raw = VerifyingReader(readinto, expected_cid, on_close=on_close, source=source)
    return io.BufferedReader(raw, buffer_size=256 * 1024)
