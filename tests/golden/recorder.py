"""Record every HTTP exchange the tests make, normalised, for the architecture refactor's behaviour check.

Active only when ``TANLIAN_GOLDEN_DIR`` names a directory: each test process appends JSON lines there
(``exchanges-<pid>.jsonl``), one per request sent through ``httpx.Client`` (``starlette.testclient.TestClient``
is one) or ``httpx.AsyncClient``: the test's node id, method, normalised URL, status, content type and the
normalised body. ``compare.py`` beside this file compares runs of old and new code.

Normalising replaces what differs between two runs of the same code on purpose (random keys, ids, nonces,
times, hashes of documents that contain them) with a placeholder naming its kind, so what remains is the
behaviour: which route answered, with which status, and the shape and stable values of the body.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import httpx

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # where the code is checked out (a data file's path in a message)
    (
        re.compile(
            r"(?:/[\w.-]+)+/(?=(?:footprint_engine|node_service|supplier_portal|identifier_resolver)/)"
        ),
        "<repo>/",
    ),
    (re.compile(r"did:key:z[1-9A-HJ-NP-Za-km-z]+(#z[1-9A-HJ-NP-Za-km-z]+)?"), "<did>"),
    (
        re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
        "<uuid>",
    ),
    (re.compile(r"0x[0-9a-fA-F]{64}"), "<hash0x>"),
    (re.compile(r"0x[0-9a-fA-F]{40}"), "<address>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<hex128>"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "<hex>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\bz[1-9A-HJ-NP-Za-km-z]{40,}\b"), "<multibase>"),
    (re.compile(r"\bu[A-Za-z0-9_-]{40,}\b"), "<multibase>"),
    (re.compile(r"\beyJ[A-Za-z0-9_.-]+"), "<jwt>"),
    (re.compile(r"\btl[a-z]*_[A-Za-z0-9_-]{16,}"), "<token>"),
    (re.compile(r"[A-Za-z0-9_-]{40,}"), "<opaque>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"localhost:\d+"), "localhost:<port>"),
    (re.compile(r"/tmp/[^\s\"'<>]+"), "<tmp>"),
]
_MAX_TEXT = 200_000
_lock = threading.Lock()


def normalise_text(text: str) -> str:
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


def normalise(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {normalise_text(k): normalise(v) for k, v in value.items()}
    return value


def _body(response: httpx.Response) -> Any:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return "<stream>"
    ctype = response.headers.get("content-type", "")
    if "json" in ctype:
        try:
            return normalise(json.loads(content))
        except ValueError:
            pass
    if ctype.startswith("text/") or "xml" in ctype or "javascript" in ctype:
        text = content.decode("utf-8", "replace")
        if len(text) > _MAX_TEXT:
            return f"<text of {len(text) // 1000} kB>"
        text = re.sub(r'name="csrf[^"]*" value="[^"]*"', 'name="csrf" value="<csrf>"', text)
        return normalise_text(text)
    return f"<binary {ctype.split(';')[0]}>"


class _Recorder:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory

    def record(self, request: httpx.Request, response: httpx.Response) -> None:
        current = os.environ.get("PYTEST_CURRENT_TEST", "<outside a test>").rsplit(" ", 1)[0]
        row = {
            "test": current,
            "method": request.method,
            "url": normalise_text(str(request.url.copy_with(scheme="http", host="host", port=None))),
            "status": response.status_code,
            "ctype": response.headers.get("content-type", "").split(";")[0],
            "body": _body(response),
        }
        line = (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        # the file of the process recording now (a forked test process gets its own), one write per line
        path = self.directory / f"exchanges-{os.getpid()}.jsonl"
        with _lock:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)


def install(directory: Path) -> None:
    """Wrap httpx's clients so every exchange is recorded."""
    recorder = _Recorder(directory)
    sync_send = httpx.Client.send
    async_send = httpx.AsyncClient.send

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = sync_send(self, request, **kwargs)
        recorder.record(request, response)
        return response

    async def asend(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = await async_send(self, request, **kwargs)
        recorder.record(request, response)
        return response

    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = asend  # type: ignore[method-assign]
