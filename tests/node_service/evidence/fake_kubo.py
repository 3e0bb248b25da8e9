"""An HTTP server that answers like Kubo's RPC API (v0 reference) for the calls the store uses.

No Kubo daemon can be installed in the test environment, so this server stands in for
it. It computes the CID of uploaded files with the JS reference importer
(ipfs-unixfs-importer, configured as `ipfs add --cid-version=1`), not with the code
under test. The compose file's Kubo service is the real target.

Answers follow the documented shapes: POST only (405 otherwise); `add` answers one
JSON line `{"Name", "Hash", "Size"}`; `cat` streams bytes; `pin/add`/`pin/rm` answer
`{"Pins": [...]}`; `pin/ls?arg=` answers `{"Keys": {cid: {"Type", "Name"}}}` or HTTP 500
`{"Message": "path '<arg>' is not pinned", "Code": 0, "Type": "error"}`;
`files/stat` answers `{"Hash", "Size", "CumulativeSize", "Blocks", "Type"}`.
"""

from __future__ import annotations

import json
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from .reference import reference_cids


@dataclass
class KuboState:
    blobs: dict[str, bytes] = field(default_factory=dict)
    dag_sizes: dict[str, int] = field(default_factory=dict)
    pins: set[str] = field(default_factory=set)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    # Misbehaviours for tests.
    answer_cid: str | None = None  # answer this CID to `add` instead of the real one
    corrupt_cat: bool = False  # flip a byte in `cat` answers
    pin_ls_error: str | None = None  # answer this error to every `pin/ls`


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        parts = []
        while True:
            size_line = handler.rfile.readline().strip()
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length", "0"))
    return handler.rfile.read(length)


def _multipart_file(content_type: str, body: bytes) -> bytes:
    boundary = content_type.split("boundary=", 1)[1].strip().strip('"').encode("ascii")
    start = body.index(b"--" + boundary + b"\r\n")
    headers_end = body.index(b"\r\n\r\n", start) + 4
    end = body.index(b"\r\n--" + boundary + b"--", headers_end)
    return body[headers_end:end]


def _root_links(size: int) -> int:
    """Links of the root of a balanced DAG of ``size`` bytes (0 for a single raw leaf)."""
    chunks = -(-size // 262144)
    if chunks <= 1:
        return 0
    while chunks > 174:
        chunks = -(-chunks // 174)
    return chunks


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._send(405, b"405 - Method Not Allowed", "text/plain")

    def do_POST(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        state = self.server.state
        state.requests.append((url.path, query))
        body = _read_body(self)
        command = url.path.removeprefix("/api/v0/")
        arg = query.get("arg", [""])[0]
        if command == "add":
            self._add(query, _multipart_file(self.headers["Content-Type"], body))
        elif command == "cat":
            data = state.blobs.get(arg)
            if data is None:
                self._error(f"block was not found locally (offline): ipld: could not find {arg}")
                return
            if state.corrupt_cat and data:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            self._send(200, data, "text/plain")
        elif command == "pin/ls":
            if state.pin_ls_error is not None:
                self._error(state.pin_ls_error)
            elif arg in state.pins:
                self._json({"Keys": {arg: {"Type": "recursive", "Name": ""}}})
            else:
                self._error(f"path '{arg}' is not pinned")
        elif command == "pin/add":
            if arg not in state.blobs:
                self._error(f"block was not found locally (offline): ipld: could not find {arg}")
                return
            state.pins.add(arg)
            self._json({"Pins": [arg]})
        elif command == "pin/rm":
            state.pins.discard(arg)
            self._json({"Pins": [arg]})
        elif command == "files/stat":
            cid = arg.removeprefix("/ipfs/")
            data = state.blobs[cid]
            self._json(
                {
                    "Hash": cid,
                    "Size": len(data),
                    "CumulativeSize": state.dag_sizes[cid],
                    "Blocks": _root_links(len(data)),
                    "Type": "file",
                }
            )
        else:
            self._send(404, b"404 page not found", "text/plain")

    def _add(self, query: dict[str, list[str]], data: bytes) -> None:
        state = self.server.state
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "upload"
            path.write_bytes(data)
            answer = reference_cids([path])[0]
        cid, dag_size = str(answer["cid"]), int(answer["dagSize"])  # type: ignore[call-overload]
        state.blobs[cid] = data
        state.dag_sizes[cid] = dag_size
        if query.get("pin", ["true"])[0] == "true":
            state.pins.add(cid)
        name = "evidence"
        if state.answer_cid is not None:
            cid = state.answer_cid
            state.pins.add(cid)
        line = json.dumps({"Name": name, "Hash": cid, "Size": str(dag_size)}) + "\n"
        self._send(200, line.encode(), "application/json", extra={"X-Chunked-Output": "1"})

    def _error(self, message: str) -> None:
        self._json({"Message": message, "Code": 0, "Type": "error"}, status=500)

    def _json(self, document: object, status: int = 200) -> None:
        self._send(status, (json.dumps(document) + "\n").encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: KuboState


class FakeKubo:
    """Context manager: a fake Kubo RPC API on 127.0.0.1 at a free port."""

    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = KuboState()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def state(self) -> KuboState:
        return self.server.state

    @property
    def api_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeKubo:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
