"""Streaming UnixFS file importer producing the CID of Kubo's ``ipfs add --cid-version=1``.

With ``--cid-version=1`` and default import settings, Kubo (boxo ``ipld/unixfs/importer``)
builds a file DAG like this, and so does this module:

1. Chunking: fixed-size chunks of 262144 bytes (``size-262144``); the last chunk
   holds the remainder. An empty file is one empty chunk.
2. Leaves: every chunk is a ``raw`` block (codec 0x55); its CID is CIDv1 raw
   sha2-256 of the chunk bytes.
3. Single chunk: a file of one chunk (including the empty file) *is* that raw
   leaf; its CID starts ``bafkrei…``.
4. Balanced layout: otherwise leaves are grouped left to right into dag-pb
   UnixFS ``File`` nodes of at most 174 links, and those nodes again, level by
   level, until one root remains (boxo ``balanced.Layout``; js ``balanced``).
   Every leaf is at the same depth. A lone trailing group still becomes a node
   (with one link).
5. Node encoding: see ``node_service.evidence._dagpb``; the node CID is CIDv1
   dag-pb sha2-256 of the encoded node; a link's ``Tsize`` is the child's block
   size plus its children's ``Tsize``.

Memory: the importer keeps one partial chunk (< 256 KiB) and at most 174 pending
links (36-byte CID + two ints) per level of the tree; a level covers 174× more
bytes than the one below, so 4 levels reach 174⁴ × 256 KiB ≈ 234 TiB. Reading a
stream uses one reusable 512 KiB buffer (two chunks). Nothing else grows with the
file size.

Threads: hashlib releases the GIL while it hashes more than 2 KiB, so when the
file's plain SHA-256 is wanted (the stores), an ``update`` of at least
``PARALLEL_MIN_BYTES`` runs it in a worker of a small process-wide pool while the
calling thread hashes the chunks. ``update`` waits for the worker before it
returns, so the caller's buffer is never read after that (no copies, no queue).
Without the file hash (``tanlian evidence cid``) everything stays in the calling
thread: splitting the chunk hashes between two threads cost more than it saved on
a busy two-core machine (benchmarks/evidence_bench.py).

Limits: ``max_size`` (optional) stops the import with ``EvidenceTooLargeError``
as soon as more bytes than that have been fed; no other size limit applies.
Metadata (mode, mtime) is never written, as with Kubo's defaults.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from node_service.evidence._dagpb import PBLinkFields, encode_pb_node, encode_unixfs_file_data
from node_service.evidence.cid import CODEC_DAG_PB, CODEC_RAW, cid_v1_bytes, format_cid
from node_service.evidence.errors import EvidenceError, EvidenceTooLargeError

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MAX_LINKS",
    "BalancedFileImporter",
    "CidResult",
    "cid_of_bytes",
    "cid_of_file",
    "cid_of_stream",
    "read_chunks",
]

DEFAULT_CHUNK_SIZE = 262_144  # Kubo `--chunker=size-262144`
DEFAULT_MAX_LINKS = 174  # boxo helpers.DefaultLinksPerBlock = 8192 // 47
READ_BUFFER_SIZE = 2 * DEFAULT_CHUNK_SIZE  # two chunks per read: one hand-over to the worker per 512 KiB
PARALLEL_MIN_BYTES = 128 * 1024
_MAX_WINDOW_CHUNKS = 16
"""Smallest ``update`` whose hashing is shared with a worker thread (below it, handing over costs more)."""

_pool_lock = threading.Lock()
_pool: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None


def _hash_pool() -> concurrent.futures.ThreadPoolExecutor:
    """The process's two hashing workers, created on first use (and again in a forked child, whose copy of
    the parent's pool has no threads)."""
    global _pool
    pid = os.getpid()
    pool = _pool
    if pool is None or pool[0] != pid:
        with _pool_lock:
            pool = _pool
            if pool is None or pool[0] != pid:
                pool = (pid, concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="tanlian-hash"))
                _pool = pool
    return pool[1]


def _chunk_digests(chunks: Sequence[memoryview | bytearray]) -> list[bytes]:
    sha256 = hashlib.sha256
    return [sha256(chunk).digest() for chunk in chunks]


def _hash_while(job: concurrent.futures.Future[Any], chunks: Sequence[memoryview | bytearray]) -> list[bytes]:
    """Chunk digests in this thread while ``job`` runs; if this fails, wait for ``job`` before raising, so
    no worker still reads the caller's buffer once ``update`` has returned."""
    try:
        return _chunk_digests(chunks)
    except BaseException:
        concurrent.futures.wait([job])
        raise


@dataclass(frozen=True, slots=True)
class CidResult:
    """The outcome of importing one file.

    ``cid``: base32 CIDv1 text; ``size``: file bytes; ``sha256_hex``: plain SHA-256 of
    the file; ``dag_size``: cumulative size of all DAG blocks (Kubo's ``Size`` in
    ``/api/v0/add`` answers, the root link's ``Tsize``).
    """

    cid: str
    size: int
    sha256_hex: str
    dag_size: int


class BalancedFileImporter:
    """Incremental importer: ``update(bytes)`` any number of times, then ``finalize()``.

    ``chunk_size`` and ``max_links`` exist for tests of the tree shape with small
    numbers; any other value than the defaults gives CIDs Kubo's defaults do not.
    ``sha256=False`` skips the file's plain SHA-256 (``sha256_hex`` is then ``""``),
    halving the hashing work when only the CID is wanted.
    """

    def __init__(
        self,
        *,
        max_size: int | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_links: int = DEFAULT_MAX_LINKS,
        sha256: bool = True,
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size: got {chunk_size}, want >= 1")
        if max_links < 2:
            raise ValueError(f"max_links: got {max_links}, want >= 2")
        if max_size is not None and max_size < 0:
            raise ValueError(f"max_size: got {max_size}, want >= 0 or None")
        self._max_size = max_size
        self._chunk_size = chunk_size
        self._max_links = max_links
        self._file_sha256 = hashlib.sha256() if sha256 else None
        self._size = 0
        self._partial = bytearray()
        self._leaf_count = 0
        # _levels[0] holds leaf links, _levels[k] links to nodes of height k.
        self._levels: list[list[PBLinkFields]] = [[]]
        self._result: CidResult | None = None

    @property
    def size(self) -> int:
        """Bytes fed so far."""
        return self._size

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Feed the next bytes of the file."""
        if self._result is not None:
            raise EvidenceError("UnixFS import: update() after finalize() — start a new BalancedFileImporter")
        view = memoryview(data).cast("B")
        length = len(view)
        if length == 0:
            return
        self._size += length
        if self._max_size is not None and self._size > self._max_size:
            raise EvidenceTooLargeError(
                f"evidence file: more than {self._max_size} bytes (got at least {self._size}) — "
                f"split the file or store a smaller export; the limit is {self._max_size} bytes"
            )
        # (1): windows of at most _MAX_WINDOW_CHUNKS chunks, so the list of pending chunk views stays short
        step = self._chunk_size * _MAX_WINDOW_CHUNKS
        for start in range(0, length, step):
            self._feed(view[start : start + step])

    def _feed(self, view: memoryview) -> None:
        length = len(view)
        # (2): split the window into the chunks it completes; the rest stays partial.
        chunk_size = self._chunk_size
        chunks: list[memoryview | bytearray] = []
        offset = 0
        if self._partial:
            offset = min(chunk_size - len(self._partial), length)
            self._partial += view[:offset]
            if len(self._partial) == chunk_size:
                chunks.append(self._partial)
                self._partial = bytearray()
        while length - offset >= chunk_size:
            chunks.append(view[offset : offset + chunk_size])
            offset += chunk_size
        # (3): hash the file and the chunks, sharing the work with a worker when there is enough of it.
        file_sha256 = self._file_sha256
        if file_sha256 is None:
            digests = _chunk_digests(chunks)
        elif length < PARALLEL_MIN_BYTES:
            file_sha256.update(view)
            digests = _chunk_digests(chunks)
        else:  # the worker hashes the file while this thread hashes the chunks
            file_job = _hash_pool().submit(file_sha256.update, view)
            digests = _hash_while(file_job, chunks)
            file_job.result()
        # (4): the leaves, in file order.
        for chunk, digest in zip(chunks, digests, strict=True):
            self._add_leaf_digest(len(chunk), digest)
        if offset < length:
            self._partial += view[offset:]

    def finalize(self) -> CidResult:
        """Close the last chunk and the tree; return the root CID. Idempotent."""
        if self._result is not None:
            return self._result
        # (1): the last, short chunk; an empty file is one empty chunk.
        if self._partial or self._leaf_count == 0:
            self._add_leaf(self._partial)
            self._partial = bytearray()
        # (2): close every level from the bottom; the top level's lone entry is the root.
        level = 0
        while True:
            pending = self._levels[level]
            if level == len(self._levels) - 1:
                root = pending[0] if len(pending) == 1 else self._reduce(pending)
                break
            self._push(level + 1, self._reduce(pending))
            level += 1
        self._result = CidResult(
            cid=format_cid(root.cid),
            size=self._size,
            sha256_hex="" if self._file_sha256 is None else self._file_sha256.hexdigest(),
            dag_size=root.tsize,
        )
        return self._result

    def _add_leaf(self, chunk: bytes | bytearray | memoryview) -> None:
        self._add_leaf_digest(len(chunk), hashlib.sha256(chunk).digest())

    def _add_leaf_digest(self, length: int, digest: bytes) -> None:
        cid = cid_v1_bytes(CODEC_RAW, digest)
        self._leaf_count += 1
        self._push(0, PBLinkFields(cid=cid, tsize=length, filesize=length))

    def _push(self, level: int, link: PBLinkFields) -> None:
        # A full level is reduced only when one more entry arrives, so a level that
        # ends with exactly max_links entries stays whole for finalize().
        if level == len(self._levels):
            self._levels.append([])
        pending = self._levels[level]
        if len(pending) == self._max_links:
            self._levels[level] = [link]
            self._push(level + 1, self._reduce(pending))
        else:
            pending.append(link)

    @staticmethod
    def _reduce(children: list[PBLinkFields]) -> PBLinkFields:
        data = encode_unixfs_file_data([child.filesize for child in children])
        block = encode_pb_node(children, data)
        cid = cid_v1_bytes(CODEC_DAG_PB, hashlib.sha256(block).digest())
        return PBLinkFields(
            cid=cid,
            tsize=len(block) + sum(child.tsize for child in children),
            filesize=sum(child.filesize for child in children),
        )


def read_chunks(stream: BinaryIO, buffer: bytearray) -> int:
    """Fill ``buffer`` from ``stream`` (looping over short reads); return bytes read, 0 at EOF."""
    view = memoryview(buffer)
    filled = 0
    readinto = getattr(stream, "readinto", None)
    while filled < len(view):
        if readinto is not None:
            count = readinto(view[filled:])
        else:
            data = stream.read(len(view) - filled)
            if not isinstance(data, bytes | bytearray | memoryview):
                raise EvidenceError(
                    f"evidence stream: read() returned {type(data).__name__}, want bytes — "
                    "open the file in binary mode"
                )
            count = len(data)
            view[filled : filled + count] = data
        if not count:
            break
        filled += count
    return filled


def cid_of_stream(
    stream: BinaryIO,
    *,
    max_size: int | None = None,
    sink: Callable[[memoryview], object] | None = None,
    sha256: bool = True,
) -> CidResult:
    """CID, size and SHA-256 of everything readable from ``stream``, in one pass.

    ``sink``, if given, receives every piece of the file in order (e.g. a temporary
    file's ``write``) after it has been hashed; it must not keep the memoryview.
    """
    importer = BalancedFileImporter(max_size=max_size, sha256=sha256)
    buffer = bytearray(READ_BUFFER_SIZE)
    view = memoryview(buffer)
    while count := read_chunks(stream, buffer):
        importer.update(view[:count])
        if sink is not None:
            sink(view[:count])
    return importer.finalize()


def cid_of_file(path: str | Path, *, max_size: int | None = None, sha256: bool = True) -> CidResult:
    """CID, size and (unless ``sha256=False``) SHA-256 of the file at ``path``."""
    with open(path, "rb", buffering=0) as stream:
        return cid_of_stream(stream, max_size=max_size, sha256=sha256)


def cid_of_bytes(data: bytes | bytearray | memoryview) -> CidResult:
    """CID, size and SHA-256 of an in-memory byte string (small documents, tests)."""
    importer = BalancedFileImporter()
    importer.update(data)
    return importer.finalize()
