"""Hostile request bodies (issue 16): nesting deep enough to crash the C JSON parser, bodies larger than any
document, streamed without a length. Each answer is the node's refusal (problem+json; PACT's and the portal's
own shapes on their paths), and the node lives on.

The reproductions that crashed the node run against a real ``tanlian serve`` subprocess (a crash in-process
would take pytest down); the finer rules run in-process against small limits.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.chain.devnet import free_loopback_port
from node_service.credentials.json_nesting import nesting_depth, nests_deeper_than
from node_service.settings import Settings
from tests.node_service.clirun import serve
from tests.node_service.helpers import activity, register, registration, signed_activity

DEEP = b"[" * 100_000 + b"]" * 100_000  # the reproduction
DEFAULTS = Settings()
MiB = 1024 * 1024


# ------------------------------------------------------------------ a served node, as in the reproduction
@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    base: str
    data_dir: Path

    def alive(self) -> None:
        """The process still runs and answers (it died with SIGSEGV, exit -11, before issue 16)."""
        assert self.proc.poll() is None, f"the node died: exit {self.proc.returncode}"
        assert httpx.get(f"{self.base}/healthz", timeout=10).status_code == 200

    def rss_bytes(self) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        assert found, status
        return int(found[1]) * 1024


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("hostile")
    port = free_loopback_port()
    proc = serve(tmp / "data", port, TANLIAN_LOG_LEVEL="warning")
    try:
        yield Served(proc, port, f"http://127.0.0.1:{port}", tmp / "data")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _problem(resp: httpx.Response, status: int, problem: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text[:500]
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
    body: dict[str, Any] = resp.json()
    assert body["type"] == f"/problems/{problem}" and body["status"] == status, body
    return body


def _csrf(client: httpx.Client, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get(path).text)
    assert match
    return match.group(1)


@pytest.mark.parametrize("path", ["/submissions", "/organisations"])
def test_deep_nesting_is_refused_and_the_node_lives(node: Served, path: str) -> None:
    """The issue's reproduction (``[`` × 100,000): it killed the node with SIGSEGV; now 422 before parsing."""
    resp = httpx.post(
        node.base + path, content=DEEP, headers={"content-type": "application/json"}, timeout=60
    )
    body = _problem(resp, 422, "json-too-deep")
    assert f"deeper than {DEFAULTS.max_json_depth} levels" in body["detail"]
    node.alive()


def test_deep_nesting_on_the_portal_register_is_refused_in_the_users_language(node: Served) -> None:
    """The same on /portal/register, whose CSRF token anyone can fetch; the portal answers in Chinese."""
    with httpx.Client(base_url=node.base, headers={"accept-language": "zh-CN"}, timeout=60) as browser:
        token = _csrf(browser, "/portal/register")
        resp = browser.post(
            "/portal/register",
            content=DEEP,
            headers={"content-type": "application/json", "x-csrf-token": token},
        )
    assert resp.status_code == 422, resp.text[:500]
    assert resp.json()["problem"] == "json-too-deep"
    assert resp.json()["error"] == f"文档嵌套层级过深：最多 {DEFAULTS.max_json_depth} 层。"
    node.alive()


def _raw_exchange(
    port: int, head: bytes, body_chunks: Iterator[bytes] = iter(()), timeout: float = 20
) -> bytes:
    """Send ``head`` and then ``body_chunks`` (until the node stops reading) on one connection; the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except OSError:  # the node answered and closed while we were still sending
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer


def _status_and_json(answer: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":  # one chunk is enough for these small answers
        size, _, rest = body.partition(b"\r\n")
        body = rest[: int(size, 16)]
    return int(lines[0].split()[1]), headers, json.loads(body)


def test_an_oversized_content_length_is_refused_before_the_body_is_read(node: Served) -> None:
    """300 MB announced, nothing sent: the answer comes at once (before, the node waited for the body)."""
    head = (
        f"POST /submissions HTTP/1.1\r\nHost: 127.0.0.1:{node.port}\r\ncontent-type: application/json\r\n"
        f"content-length: {300 * 1000 * 1000}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    status, headers, body = _status_and_json(_raw_exchange(node.port, head, timeout=10))
    assert time.monotonic() - started < 5
    assert status == 413 and headers["content-type"].startswith("application/problem+json")
    assert body["type"] == "/problems/body-too-large"
    assert f"want at most {DEFAULTS.max_body_bytes}" in body["detail"]
    assert headers.get("connection") == "close"
    node.alive()


def test_a_chunked_oversized_body_is_cut_off_with_memory_bounded(node: Served) -> None:
    """128 MiB streamed without a length (chunked): the node stops at its limit and answers 413, and its memory
    stays within 50 MB of where it was (before, it held the whole body: +128 MiB and more)."""
    head = (
        f"POST /organisations HTTP/1.1\r\nHost: 127.0.0.1:{node.port}\r\ncontent-type: application/json\r\n"
        "transfer-encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"1" * MiB

    def chunks() -> Iterator[bytes]:
        for _ in range(128):
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        yield b"0\r\n\r\n"

    baseline = node.rss_bytes()
    peak = baseline
    sampling = True

    def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, node.rss_bytes())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        status, headers, body = _status_and_json(_raw_exchange(node.port, head, chunks(), timeout=60))
    finally:
        sampling = False
        sampler.join()
    assert status == 413 and headers["content-type"].startswith("application/problem+json"), body
    assert body["type"] == "/problems/body-too-large"
    assert peak - baseline <= 50 * 1000 * 1000, f"the node grew by {(peak - baseline) / MiB:.0f} MiB"
    node.alive()


def test_importing_the_node_leaves_the_interpreters_recursion_limit() -> None:
    """py_ecc raises sys.setrecursionlimit to 100,000 when imported (through web3/eth_account); the node puts it
    back (node_service/chain/__init__.py), so the C JSON parser raises RecursionError instead of crashing."""
    script = (
        "import sys; default = sys.getrecursionlimit()\n"
        "import node_service.app, node_service.cli.main, supplier_portal\n"
        "from node_service.app import create_app\n"
        "print(default, sys.getrecursionlimit())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    default, after = map(int, out.stdout.split())
    assert after == default == 1000


# ------------------------------------------------------------------ in-process: the rules, on small limits
@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A node whose limits are small (64 KiB bodies, 1 MiB uploads), so the tests send little."""
    from node_service.runtime import Node

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("small-limits"),
        anchor_interval_seconds=0.3,
        max_body_bytes=64 * 1024,
        max_upload_bytes=MiB,
    )
    node = Node(settings).start()
    try:
        with TestClient(create_app(node=node), base_url="http://127.0.0.1") as client:
            yield client
    finally:
        node.stop()


def _nested(levels: int) -> bytes:
    return b'{"a":' * (levels - 1) + b"[1]" + b"}" * (levels - 1)


def test_the_depth_limit_leaves_room_for_every_real_document() -> None:
    """The deepest documents the node takes (a signed activity-data credential of each example, a signed
    registration, and the portal's registration body around it) nest 8 levels at most: the limit of 64 leaves
    them room many times over."""
    key = Ed25519PrivateKey.generate()
    signed_registration = registration(key, "Depth", ["supplier"])

    class _Org:
        def __init__(self) -> None:
            self.key = key
            self.did = signed_registration["issuer"]

    org: Any = _Org()
    documents = [
        signed_registration,
        {"registration": signed_registration, "username": "admin", "password": "p" * 12},
        *(
            signed_activity(org, activity(org.did, example=name))
            for name in ("aluminium-ingot-yunnan", "motor-housing-jiangsu")
        ),
    ]
    deepest = max(nesting_depth(json.dumps(doc).encode()) for doc in documents)
    assert deepest <= 8, deepest  # the aluminium ingot's credential: 8
    assert DEFAULTS.max_json_depth >= 4 * deepest


def test_nesting_is_measured_by_the_brackets_outside_strings() -> None:
    assert nesting_depth(b'[[1,"[[[["],{"a":{"b":[]}}]') == 4
    assert nesting_depth(b'"\\"[[["') == 0  # an escaped quote does not end the string
    assert nesting_depth(b'["a\\\\"]') == 1  # an escaped backslash does
    assert nesting_depth(b'["unterminated [[[[') == 1  # an open string runs to the end
    assert nesting_depth(DEEP) == 100_000
    assert nests_deeper_than(_nested(65), 64) and not nests_deeper_than(_nested(64), 64)
    # linear: a text of escaped quotes (quadratic for a backtracking string pattern) is scanned at once
    started = time.monotonic()
    assert nesting_depth(b'"' + b'\\"' * 2_000_000) == 0
    assert nesting_depth(b'[\\"' * 1_000_000) == 1
    assert time.monotonic() - started < 5


def test_the_depth_limit_is_exact(small: TestClient) -> None:
    at_limit = small.post("/organisations", content=_nested(64), headers={"content-type": "application/json"})
    assert at_limit.status_code == 422 and at_limit.json()["type"] != "/problems/json-too-deep", at_limit.text
    over = small.post("/organisations", content=_nested(65), headers={"content-type": "application/json"})
    _problem(over, 422, "json-too-deep")


def test_bodies_of_any_declared_type_are_measured(small: TestClient) -> None:
    """Some routes parse the body whatever its type (the portal's register, the Handle API): text/plain, an
    unknown type and no type at all are measured too."""
    for headers in ({"content-type": "text/plain"}, {"content-type": "application/x-junk"}, {}):
        resp = small.post("/submissions", content=_nested(200), headers=headers)
        _problem(resp, 422, "json-too-deep")


@pytest.mark.parametrize("major", [2, 3])
def test_pact_events_are_refused_in_pacts_shape(small: TestClient, major: int) -> None:
    resp = small.post(
        f"/{major}/events", content=_nested(500), headers={"content-type": "application/cloudevents+json"}
    )
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == "BadRequest" and "deeper than 64 levels" in body["message"], body


def test_the_token_endpoint_answers_rfc_6749(small: TestClient) -> None:
    resp = small.post(
        "/auth/token",
        content=b"grant_type=client_credentials&x=" + b"a" * 100_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "invalid_request"
    assert "want at most 65536" in resp.json()["error_description"]


def test_a_get_with_a_body_does_not_reach_the_pact_fast_path(small: TestClient) -> None:
    """The PACT read fast path sits inside the limits: a GET carrying an oversized body is refused before it."""
    resp = small.request(
        "GET", "/3/footprints", content=b"x" * 100_000, headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "BadRequest" and "want at most 65536" in resp.json()["message"]


def test_a_streamed_body_is_cut_off_at_the_limit(small: TestClient) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):
            sent += 16 * 1024
            yield b" " * 16 * 1024

    resp = small.post("/submissions", content=chunks(), headers={"content-type": "application/json"})
    _problem(resp, 413, "body-too-large")


def test_uploads_have_their_own_limit(small: TestClient) -> None:
    """Evidence (an upload route) takes a multipart body past the body limit, up to the upload limit; any other
    route refuses a multipart body past the body limit, and an upload past the upload limit is refused too."""
    supplier = register(small, "Upload Limits", ["supplier"])
    file = b"%PDF-1.7\n" + b"0" * (200 * 1024)
    stored = small.post(
        "/evidence", files={"file": ("big.pdf", file, "application/pdf")}, headers=supplier.auth
    )
    assert stored.status_code == 201, stored.text
    elsewhere = small.post(
        "/submissions", files={"file": ("big.pdf", file, "application/pdf")}, headers=supplier.auth
    )
    _problem(elsewhere, 413, "body-too-large")
    too_big = small.post(
        "/evidence", files={"file": ("huge.bin", b"0" * (2 * MiB), "application/pdf")}, headers=supplier.auth
    )
    _problem(too_big, 413, "body-too-large")
    assert too_big.json()["detail"].endswith(f"want at most {MiB}")


def test_a_form_past_the_limit_is_cut_off_while_it_streams(small: TestClient) -> None:
    """A form without a length (chunked) reaches the route as it arrives; past the limit the client gets 413,
    not what the route made of the truncated form."""
    supplier = register(small, "Streamed Form", ["supplier"])

    def chunks() -> Iterator[bytes]:
        yield b'--b\r\ncontent-disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        for _ in range(200):
            yield b"0" * 8192
        yield b"\r\n--b--\r\n"

    resp = small.post(
        "/pact/clients",
        content=chunks(),
        headers={**supplier.auth, "content-type": "multipart/form-data; boundary=b"},
    )
    _problem(resp, 413, "body-too-large")


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-CN", "请求过大：最多 0.0625 MiB。"), ("en", "The request is too large: at most 0.0625 MiB.")],
)
def test_the_portal_refuses_in_the_users_language(small: TestClient, language: str, message: str) -> None:
    token = _csrf(small, "/portal/register")
    resp = small.post(
        "/portal/register",
        content=b"{" + b" " * 100_000 + b"}",
        headers={"content-type": "application/json", "x-csrf-token": token, "accept-language": language},
    )
    assert resp.status_code == 413, resp.text
    assert resp.json() == {"error": message, "field": None, "problem": "body-too-large"}
    page = small.post(
        "/portal/login",
        content=b"username=" + b"a" * 100_000,
        headers={"accept-language": language, "content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413 and message in page.text


def test_a_deeply_nested_bearer_token_is_a_bad_request_not_a_500() -> None:
    """A token's JSON header is parsed too: nesting deep enough for RecursionError under the interpreter's own
    limit (within the token's length cap) is refused like any malformed token."""
    import base64

    from node_service.services.pact.errors import BadRequest
    from node_service.services.pact.management.tokens import MAX_TOKEN_LENGTH, NodeKeys, _verify_signed_token

    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    levels = (MAX_TOKEN_LENGTH * 3 // 4 - 16) // 2
    token = f"{part(b'[' * levels + b']' * levels)}.{part(b'{}')}.{part(b'sig')}"
    assert len(token) <= MAX_TOKEN_LENGTH
    raised = sys.getrecursionlimit()  # another test's import (py_ecc) may have left it raised in this process
    sys.setrecursionlimit(1000)  # the interpreter's default, which a node keeps (test above)
    try:
        assert levels > sys.getrecursionlimit()
        with pytest.raises(BadRequest, match="malformed JWT"):
            _verify_signed_token(NodeKeys(token_key=b"k" * 32, seal_key=b"s" * 32), token)
    finally:
        sys.setrecursionlimit(raised)
