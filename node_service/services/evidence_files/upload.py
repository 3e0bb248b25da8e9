"""Stream a ``multipart/form-data`` upload to a temporary file, chunk by chunk, with a size limit.

The request body is never held in memory: each chunk the server receives is parsed and the file part's
bytes are written to a temporary file in the evidence directory; the upload is refused with 413 as soon as
the file part passes the limit (and before reading anything when ``Content-Length`` already says so).

Limits: one file part named ``file``; other parts are ignored but count towards the body limit
(the file limit plus ``FORM_OVERHEAD``); part headers are bounded by the parser (8 headers, 4 KiB).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

from node_service.evidence import EvidenceTooLargeError
from node_service.services.evidence_files.errors import UploadInvalid

__all__ = ["FORM_OVERHEAD", "Upload", "receive_upload"]

FORM_OVERHEAD = 64 * 1024
"""Bytes of a multipart body beyond the file itself: boundaries, part headers, small fields."""

_FILENAME_MAX = 255


@dataclass
class Upload:
    """A received file part, on disk at ``path`` (the caller deletes it)."""

    path: Path
    filename: str
    media_type: str
    size: int


@dataclass
class _PartState:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: bytes = b""
    value: bytes = b""
    in_file: bool = False
    done: bool = False


def _clean_filename(raw: str) -> str:
    name = raw.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:_FILENAME_MAX] or "evidence"


async def receive_upload(
    content_type: str | None,
    content_length: str | None,
    chunks: AsyncIterator[bytes],
    *,
    max_file_size: int,
    tmp_dir: Path,
) -> Upload:
    """Parse the multipart body from ``chunks``; return the ``file`` part written to a file in ``tmp_dir``."""
    # (1) the request says what it is and how big it is
    mime, params = parse_options_header(content_type or "")
    if mime != b"multipart/form-data" or b"boundary" not in params:
        raise UploadInvalid(
            f"Content-Type {content_type!r} is not multipart/form-data with a boundary",
            field="Content-Type",
            fix="upload the file as a multipart/form-data part named 'file' (curl -F file=@FILE)",
        )
    max_body = max_file_size + FORM_OVERHEAD
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise UploadInvalid(
                f"Content-Length {content_length!r} is not a number", field="Content-Length"
            ) from None
        if declared > max_body:
            raise EvidenceTooLargeError(
                f"the upload is {declared} bytes; evidence files may have at most {max_file_size} bytes",
                fix="split the file or store a smaller export",
                field="file",
            )

    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".part")
    out = os.fdopen(fd, "wb")
    part = _PartState()
    found: dict[str, str] = {}
    written = 0

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part.name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part.value += data[start:end]

    def on_header_end() -> None:
        part.headers[part.name.lower()] = part.value
        part.name, part.value = b"", b""

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.in_file = disposition.get(b"name") == b"file" and not found
        if part.in_file:
            found["filename"] = _clean_filename(disposition.get(b"filename", b"").decode("utf-8", "replace"))
            media = part.headers.get(b"content-type", b"application/octet-stream").decode("latin-1").strip()
            found["media_type"] = media[:127] or "application/octet-stream"

    def on_part_data(data: bytes, start: int, end: int) -> None:
        nonlocal written
        if part.in_file:
            written += end - start
            if written > max_file_size:
                raise EvidenceTooLargeError(
                    f"the file passed {max_file_size} bytes, the most an evidence file may have",
                    fix="split the file or store a smaller export",
                    field="file",
                )
            out.write(data[start:end])

    def on_part_end() -> None:
        part.in_file = False
        part.headers = {}

    def on_end() -> None:
        part.done = True

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_end": on_end,
        },
    )
    received = 0
    try:
        # (2) parse as the bytes arrive; the file part goes straight to disk
        async for chunk in chunks:
            received += len(chunk)
            if received > max_body:
                raise EvidenceTooLargeError(
                    f"the upload passed {max_body} bytes; evidence files may have at most {max_file_size}",
                    fix="split the file or store a smaller export",
                    field="file",
                )
            try:
                parser.write(chunk)
            except EvidenceTooLargeError:
                raise
            except Exception as exc:
                raise UploadInvalid(f"the multipart body is malformed: {exc}", field="file") from None
        out.close()
        # (3) exactly one complete file part
        if not part.done:
            raise UploadInvalid("the multipart body ends early (no closing boundary)", field="file")
        if not found:
            raise UploadInvalid(
                "no part named 'file' in the upload",
                field="file",
                fix="send the evidence as the form field 'file' (curl -F file=@FILE)",
            )
    except BaseException:
        out.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return Upload(Path(name), found["filename"], found["media_type"], written)
