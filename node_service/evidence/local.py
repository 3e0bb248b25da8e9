"""Local directory evidence store (the embedded default).

Layout under ``root``::

    root/blobs/<two characters>/<cid>   one read-only file per CID
    root/tmp/                           uploads in progress (same filesystem)

The two-character directory is the next-to-last two characters of the CID text
(the scheme of Kubo's flatfs ``next-to-last/2``), spreading files over 1024
directories. Writes go to a temporary file while the CID is computed, are
flushed to disk, then renamed into place atomically: a file under its CID is
always complete, and nothing partial is left behind on error or size overrun.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from node_service.evidence.cid import parse_cid
from node_service.evidence.errors import EvidenceNotFoundError, EvidenceStorageError
from node_service.evidence.store import MAX_EVIDENCE_SIZE, StoredEvidence, open_verified
from node_service.evidence.unixfs import cid_of_stream

__all__ = ["LocalEvidenceStore"]

_READ_ONLY = 0o444


class LocalEvidenceStore:
    """Content-addressed files in a local directory."""

    def __init__(self, root: Path, *, max_size: int = MAX_EVIDENCE_SIZE) -> None:
        self.root = Path(root)
        self.max_size = max_size
        self._blobs = self.root / "blobs"
        self._tmp = self.root / "tmp"
        try:
            self._blobs.mkdir(parents=True, exist_ok=True)
            self._tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EvidenceStorageError(
                f"evidence store at {self.root}: cannot create directories ({exc}) — "
                "check the data directory path and its permissions"
            ) from exc

    def path_of(self, cid: str) -> Path:
        """Where the file for ``cid`` lives (validated CID, so safe as a file name)."""
        text = str(parse_cid(cid))
        return self._blobs / text[-3:-1] / text

    def put(self, stream: BinaryIO) -> StoredEvidence:
        # (1): stream into a temporary file while computing CID, SHA-256 and size.
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="put-", suffix=".part")
        tmp_path = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as tmp_file:
                result = cid_of_stream(stream, max_size=self.max_size, sink=tmp_file.write)
                tmp_file.flush()
                os.fsync(tmp_file.fileno())
            # (2): same bytes already stored: keep the existing file.
            final = self.path_of(result.cid)
            if final.is_file():
                tmp_path.unlink()
            else:
                # (3): atomic rename into place.
                final.parent.mkdir(exist_ok=True)
                os.chmod(tmp_path, _READ_ONLY)
                os.replace(tmp_path, final)
                _fsync_directory(final.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            raise
        return StoredEvidence(cid=result.cid, sha256=result.sha256_hex, size=result.size)

    def open(self, cid: str) -> BinaryIO:
        path = self.path_of(cid)
        try:
            raw = open(path, "rb", buffering=0)  # closed by the returned stream
        except FileNotFoundError as exc:
            raise EvidenceNotFoundError(
                f"evidence {cid}: not in the local store at {self.root} — store the file first"
            ) from exc
        return open_verified(raw.readinto, str(parse_cid(cid)), on_close=raw.close, source="local store")

    def exists(self, cid: str) -> bool:
        return self.path_of(cid).is_file()

    def size(self, cid: str) -> int:
        path = self.path_of(cid)
        try:
            return path.stat().st_size
        except FileNotFoundError as exc:
            raise EvidenceNotFoundError(
                f"evidence {cid}: not in the local store at {self.root} — store the file first"
            ) from exc


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable (POSIX); ignored where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
