"""Input hygiene (issue 16, the low items): organisation names are plain text; request bodies with unknown
members are refused, not half-read; HSTS over HTTPS only; evidence served with a safe media type and nosniff;
the data directory and the database readable by the node's user only."""

from __future__ import annotations

import re
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.chain.devnet import free_loopback_port
from node_service.cli.serve_cmds import proxy_options
from node_service.runtime import Node
from node_service.settings import Settings
from tests.node_service.helpers import Org, register, signed_activity


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = Node(Settings(data_dir=tmp_path_factory.mktemp("hygiene"), anchor_interval_seconds=0.3)).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node=node), base_url="http://127.0.0.1") as http:
        yield http


@pytest.fixture(scope="module")
def supplier(client: TestClient) -> Org:
    return register(client, "Hygiene Supplier", ["supplier"])


# ------------------------------------------------------------------ organisation names
REFUSED = {
    "NUL": "\x00",
    "escape": "\x1b[31m",
    "DEL": "\x7f",
    "C1 next line": "\x85",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("name", REFUSED)
def test_registration_refuses_control_and_bidi_characters(
    client: TestClient, name: str, language: str
) -> None:
    key = Ed25519PrivateKey.generate()
    doc = _registration(
        key, {"zh": "云南铝业", "en": "Yunnan Aluminium", language: f"Acme{REFUSED[name]}Corp"}
    )
    resp = client.post("/organisations", json=doc)
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["type"] == "/problems/name-has-control-character"
    assert body["field"] == f"credentialSubject.name.{language}"
    assert f"U+{ord(REFUSED[name][0]):04X}" in body["detail"]


def _registration(key: Ed25519PrivateKey, name: dict[str, str]) -> dict[str, Any]:
    from node_service.credentials import eddsa_jcs_2022
    from node_service.credentials.didkey import did_key, verification_method_id
    from node_service.credentials.vc import build_credential

    did = did_key(key)
    doc = build_credential(
        {"id": did, "name": name, "roles": ["supplier"]}, did, credential_type="OrganisationRegistration"
    )
    return eddsa_jcs_2022.sign(doc, key, verification_method_id(key))


def test_ordinary_names_stay_welcome(client: TestClient) -> None:
    for name in (
        {
            "zh": "云南绿色铝业股份有限公司（集团）",
            "en": "Yunnan Green Aluminium Co., Ltd. — No. 2 Plant & Sons",
        },
        {"zh": "ملح · Ünïcödé 株式会社"},
    ):
        resp = client.post("/organisations", json=_registration(Ed25519PrivateKey.generate(), name))
        assert resp.status_code == 201, resp.text
        assert resp.json()["name"] == {"zh": name.get("zh"), "en": name.get("en")}


def _csrf(http: httpx.Client, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', http.get(path).text)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("language", "field", "message"),
    [
        ("zh-CN", "zh", "中文名称含有控制字符或文字方向控制字符（U+202E），请删除该字符。"),
        ("zh-CN", "en", "英文名称含有控制字符或文字方向控制字符（U+202E），请删除该字符。"),
        ("en", "zh", "The Chinese name contains a control or text-direction character (U+202E); remove it."),
    ],
)
def test_the_portal_refuses_them_in_the_users_language(
    node: Node, language: str, field: str, message: str
) -> None:
    with TestClient(create_app(node=node), base_url="http://127.0.0.1") as browser:
        browser.headers["accept-language"] = language
        name = {"zh": "云南铝业", "en": "Yunnan Aluminium", field: "\u202eevil"}
        body = {
            "registration": _registration(Ed25519PrivateKey.generate(), name),
            "username": f"admin-{field}-{language}",
            "password": "p" * 12,
        }
        resp = browser.post(
            "/portal/register", json=body, headers={"x-csrf-token": _csrf(browser, "/portal/register")}
        )
    assert resp.status_code == 422, resp.text
    assert resp.json() == {"error": message, "field": "name", "problem": "form-invalid"}


# ------------------------------------------------------------------ unknown members
@pytest.fixture(scope="module")
def footprint(client: TestClient, supplier: Org) -> str:
    resp = client.post("/submissions", json=signed_activity(supplier))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["footprintId"])


def test_publish_refuses_unknown_members_and_publishes_nothing(
    client: TestClient, supplier: Org, footprint: str
) -> None:
    junk = client.post(
        f"/pact/footprints/{footprint}/publish", json={"junk": 1, "pubic": True}, headers=supplier.auth
    )
    assert junk.status_code == 422, junk.text
    fields = {e["field"] for e in junk.json()["errors"]}
    assert fields == {"body.junk", "body.pubic"}, junk.json()
    assert all(e["rule"] == "extra_forbidden" for e in junk.json()["errors"])
    first = client.post(f"/pact/footprints/{footprint}/publish", json={}, headers=supplier.auth)
    assert first.status_code == 201, first.text  # 201: the junk request had published nothing


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/pact/clients", {"name": "erp", "scope": "admin"}),
        (
            "/pact/remote-hosts",
            {"baseUrl": "https://pact.example.org", "clientId": "a", "clientSecret": "b", "x": 1},
        ),
        ("/footprints/{footprint}/shares", {"organisation": "did:key:z6Mk", "role": "owner"}),
    ],
)
def test_other_request_bodies_refuse_unknown_members(
    client: TestClient, supplier: Org, footprint: str, path: str, body: dict[str, Any]
) -> None:
    resp = client.post(path.format(footprint=footprint), json=body, headers=supplier.auth)
    assert resp.status_code == 422, resp.text
    assert any(e["rule"] == "extra_forbidden" for e in resp.json()["errors"]), resp.json()


# ------------------------------------------------------------------ HSTS
def test_hsts_over_https_only(node: Node) -> None:
    app = create_app(node=node)
    with TestClient(app, base_url="https://node.example.org") as https:
        assert https.get("/healthz").headers["strict-transport-security"] == "max-age=31536000"
        refused = https.post("/organisations", content=b"[" * 100 + b"]" * 100)
        assert refused.headers["strict-transport-security"] == "max-age=31536000"  # refusals too
    with TestClient(app, base_url="http://node.example.org") as http:
        assert "strict-transport-security" not in http.get("/healthz").headers


def _served(app: Any, settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_loopback_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **proxy_options(settings))
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(("trusted", "expected"), [("127.0.0.1", True), ("", False)])
def test_hsts_behind_a_trusted_proxy_only(node: Node, trusted: str, expected: bool) -> None:
    """X-Forwarded-Proto: https from a peer in TANLIAN_TRUSTED_PROXIES makes the request HTTPS (as uvicorn is run
    by `tanlian serve`); from anyone else it changes nothing."""
    settings = Settings(data_dir=node.settings.data_dir, trusted_proxies=trusted)
    server, thread, base = _served(create_app(node=node), settings)
    try:
        resp = httpx.get(f"{base}/healthz", headers={"x-forwarded-proto": "https"})
        assert resp.status_code == 200
        assert ("strict-transport-security" in resp.headers) is expected
        assert "strict-transport-security" not in httpx.get(f"{base}/healthz").headers
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ------------------------------------------------------------------ evidence downloads
@pytest.mark.parametrize(
    ("declared", "served"),
    [
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml; charset=utf-8", "application/octet-stream"),
        ("application/pdf", "application/pdf"),
        ("IMAGE/PNG", "image/png"),
    ],
)
def test_evidence_is_served_with_a_safe_type_and_nosniff(
    client: TestClient, supplier: Org, declared: str, served: str
) -> None:
    content = f"<html><script>alert(1)</script>{declared}</html>".encode()
    stored = client.post("/evidence", files={"file": ("x.html", content, declared)}, headers=supplier.auth)
    assert stored.status_code in (200, 201), stored.text
    resp = client.get(f"/evidence/{stored.json()['cid']}", headers=supplier.auth)
    assert resp.status_code == 200 and resp.content == content
    assert resp.headers["content-type"].split(";")[0] == served
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["content-disposition"].startswith("attachment")


# ------------------------------------------------------------------ the data directory and the database
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    started = Node(Settings(data_dir=data_dir)).start()
    try:
        with started.db.transaction():
            pass
        assert _mode(data_dir) == 0o700
        database = data_dir / "tanlian.db"
        assert _mode(database) == 0o600
        for companion in (database.with_name("tanlian.db-wal"), database.with_name("tanlian.db-shm")):
            if companion.exists():
                assert _mode(companion) == 0o600, companion
    finally:
        started.stop()


def test_an_existing_data_directory_is_made_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    Node(Settings(data_dir=data_dir)).start().stop()
    data_dir.chmod(0o755)
    (data_dir / "tanlian.db").chmod(0o644)
    started = Node(Settings(data_dir=data_dir)).start()
    try:
        assert _mode(data_dir) == 0o700
        assert _mode(data_dir / "tanlian.db") == 0o600
    finally:
        started.stop()
