"""Issue 16, finding 2: server-side request forgery through PACT remote hosts, and remote bodies read back.

The attack: a self-registered organisation registers a "PACT host" on an internal address, sends a
RequestCreated event naming it, and reads the internal service's reply in ``lastError`` at ``GET /pact/outbox``.
Every test uses real servers on loopback; the internal service is a TCP listener that counts the connections it
gets and answers each with a secret. Name resolution is the operating system's (``localhost``, numeric forms),
except for names a test resolves itself through the policy's resolver hook (:class:`Dns`) — a public-looking
name answering 127.0.0.1, or one whose answer changes between registration and delivery (DNS rebinding).
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from node_service.app import create_app
from node_service.cli import pact_cmds
from node_service.db.models import Organisation
from node_service.services.pact import service as pact
from node_service.services.pact.egress import checked_client
from node_service.services.pact.remotes import RemotePolicy, RemoteRefused, address_refusal, system_resolver
from node_service.services.pact.settings import PactSettings
from node_service.services.pact.tls import write_self_signed
from tests.node_service.helpers import Org, pact_bearer, register
from tests.node_service.services.pact.servers import serve

SECRET = "internal-" + secrets.token_hex(8)
REQUEST_CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"


# ---------------------------------------------------------------- the internal service, hosts, names
class Listener:
    """A TCP service on loopback standing for an internal one: counts the connections it accepts and answers
    each with SECRET (not HTTP)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(f"{SECRET} {SECRET}\r\n\r\n".encode())
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def internal() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


class Dns:
    """The test's own name service for the policy's resolver hook: a name it knows answers from its list of
    answers (one per lookup, the last one repeated); any other name goes to the operating system."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.answers:
            return system_resolver(host, port)
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


def pact_settings(dns: Dns | None = None, **values: Any) -> PactSettings:
    """PactSettings for a test node: fast delivery, and names resolved through ``dns`` when given."""
    resolver: Callable[[str, int], list[str]] = dns or system_resolver

    class _Settings(PactSettings):
        @cached_property
        def remotes(self) -> RemotePolicy:
            return RemotePolicy(self.remote_allowlist, resolver=resolver)

    defaults: dict[str, Any] = {
        "allow_http": True,
        "delivery_interval_seconds": 0.1,
        "delivery_backoff_seconds": 0.2,
        "delivery_backoff_max_seconds": 0.5,
    }
    return _Settings(**{**defaults, **values})


def _app(node: Any, settings: PactSettings) -> Any:
    app = create_app(node=node)
    app.state.pact_settings = settings
    return app


def _add_host(client: TestClient, org: Org, url: str, secret: str = "s") -> httpx.Response:
    return client.post(
        "/pact/remote-hosts",
        json={"baseUrl": url, "clientId": "node", "clientSecret": secret, "subscribePublished": False},
        headers=org.auth,
    )


def _ask(client: TestClient, headers: dict[str, str], source: str) -> None:
    """A RequestCreated event naming ``source``, for a product nobody has: rejected at once, the answer queued
    for ``source``."""
    event = {
        "type": REQUEST_CREATED,
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": "2026-12-07T10:00:00Z",
        "data": {"productId": ["urn:pact:null"]},
    }
    resp = client.post(
        "/3/events",
        content=json.dumps(event),
        headers={**headers, "content-type": "application/cloudevents+json; charset=UTF-8"},
    )
    assert resp.status_code == 200, resp.text


def _tried(client: TestClient, org: Org, targets: set[str], timeout: float = 30) -> dict[str, dict[str, Any]]:
    """The outbox rows for ``targets`` once each was tried at least once, by target."""
    deadline = time.monotonic() + timeout
    while True:
        rows = client.get("/pact/outbox", headers=org.auth).json()["data"]
        tried = {r["target"]: r for r in rows if r["target"] in targets and r["attempts"] >= 1}
        if set(tried) == targets:
            return tried
        assert time.monotonic() < deadline, f"not tried: {targets - set(tried)}; outbox {rows}"
        time.sleep(0.1)


@pytest.fixture()
def node(make_node: Any, tmp_path: Path) -> Any:
    return make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")


# ---------------------------------------------------------------- which addresses are refused
@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "::1",
        "0.0.0.0",
        "::",
        "10.0.0.5",
        "172.16.0.1",
        "192.168.1.1",
        "fd00::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "169.254.169.254",  # cloud metadata
        "fe80::1%eth0",
        "100.64.0.1",  # CGNAT
        "100.100.100.200",  # Alibaba Cloud metadata, in CGNAT space
        "192.0.0.192",  # IETF protocol assignments
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "192.0.2.1",
        "2001:db8::1",
        "fec0::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert address_refusal(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(address) is None


# ---------------------------------------------------------------- registration
def test_registration_refuses_hosts_on_internal_addresses(node: Any, internal: Listener) -> None:
    """The issue's reproduction (``http://127.0.0.1:PORT/internal?q=``) and its variants over HTTPS: numeric
    forms, loopback names the operating system resolves, metadata and private addresses, a public-looking name
    that resolves to loopback. Refused with 422 naming baseUrl; a name that resolves to a public address, or to
    nothing (DNS down or a name not yet published), is accepted — delivery checks again."""
    port = internal.port
    dns = Dns(
        {
            "pact.public-looking.example": [["127.0.0.1"]],
            "pact.metadata.example": [["169.254.169.254", "fd00:ec2::254"]],
            "pact.partner.example": [["93.184.215.14"]],
            "pact.mixed.example": [["10.0.0.7", "93.184.215.14"]],
        }
    )
    refused = [
        f"http://127.0.0.1:{port}/internal?q=",
        f"https://127.0.0.1:{port}/internal",
        f"https://localhost:{port}",
        f"https://2130706433:{port}",  # 127.0.0.1 as one number
        f"https://0x7f.1:{port}",
        f"https://[::1]:{port}",
        f"https://[::ffff:127.0.0.1]:{port}",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00:ec2::254]",
        "https://10.0.0.5",
        "https://100.100.100.200",
        "https://0.0.0.0",
        "https://[64:ff9b::a9fe:a9fe]",
        f"https://pact.public-looking.example:{port}",
        "https://pact.metadata.example",
        "https://pact.partner.example/pact?q=",  # a query would swallow the paths appended to the base URL
    ]
    accepted = [
        "https://pact.partner.example",
        "https://pact.mixed.example",
        "https://pact.unpublished.invalid",
    ]
    with TestClient(_app(node, pact_settings(dns))) as client:
        buyer = register(client, "Buyer", ["buyer"])
        for url in refused:
            resp = _add_host(client, buyer, url)
            assert resp.status_code == 422, (url, resp.text)
            assert resp.json()["field"] == "baseUrl", url
        for url in accepted:
            resp = _add_host(client, buyer, url)
            assert resp.status_code == 201, (url, resp.text)
    assert internal.connections == 0


# ---------------------------------------------------------------- delivery, checked at connection time
def test_delivery_connects_only_to_checked_public_addresses(node: Any, internal: Listener) -> None:
    """DNS rebinding: a name public when registered and loopback when the node connects is refused at
    connection time; so is a host stored before the rule (``https://localhost``, added here through the
    service as an older node would have). The internal service is never connected to, and ``lastError`` says
    why in the node's words."""
    rebinding = f"https://pact.rebinding.example:{internal.port}"
    stored = f"https://localhost:{internal.port}"
    dns = Dns({"pact.rebinding.example": [["93.184.215.14"], ["127.0.0.1"]]})
    with TestClient(_app(node, pact_settings(dns))) as client:
        buyer = register(client, "Buyer", ["buyer"])
        assert _add_host(client, buyer, rebinding).status_code == 201
        with node.db.transaction() as session:
            owner = session.get(Organisation, buyer.id)
        pact.register_remote_host(
            node,
            client.app.state.pact.keys,
            owner,
            stored,
            client_id="c",
            client_secret="s",
            subscribe_published=False,
        )
        headers = pact_bearer(client, buyer)
        _ask(client, headers, rebinding)
        _ask(client, headers, stored)
        rows = _tried(client, buyer, {rebinding, stored})
    assert internal.connections == 0
    for row in rows.values():
        assert row["status"] == "pending"
        assert row["lastError"].startswith("remote host refused:"), row
        assert "127.0.0.1 is a loopback address" in row["lastError"]
        assert SECRET not in row["lastError"]
    assert dns.lookups.count("pact.rebinding.example") >= 2  # at registration, and again when connecting


def test_connections_are_checked_when_they_are_made(internal: Listener) -> None:
    """The node's HTTP client itself (no check beforehand): a name resolving to loopback is refused before any
    connection; the operator's allow-list lets exactly its origin's host and port through."""
    dns = Dns({"pact.public-looking.example": [["127.0.0.1"]]})
    with checked_client(RemotePolicy(resolver=dns), verify=False, timeout=5) as http:
        for url in (
            f"https://pact.public-looking.example:{internal.port}/",
            f"http://localhost:{internal.port}/",
            f"http://[::ffff:127.0.0.1]:{internal.port}/",
        ):
            with pytest.raises(RemoteRefused, match="no public address"):
                http.get(url)
    assert internal.connections == 0
    allowed = RemotePolicy(f"http://127.0.0.1:{internal.port}", resolver=dns)
    with checked_client(allowed, verify=False, timeout=5) as http:
        with pytest.raises(httpx.HTTPError):
            http.get(f"http://127.0.0.1:{internal.port}/")  # connected: the listener does not speak HTTP
    assert internal.connections == 1


# ---------------------------------------------------------------- redirects and remote bodies
class Host:
    """A remote PACT host on loopback (the operator allows it) whose answers a test chooses."""

    def __init__(
        self,
        token: Callable[[], Response],
        events: Callable[[], Response] | None = None,
        discovery: dict[str, Any] | None = None,
    ) -> None:
        self.app = FastAPI()
        self.received: list[dict[str, Any]] = []

        @self.app.api_route("/{path:path}", methods=["GET", "POST"])
        async def any_path(path: str, request: Request) -> Response:
            if path == ".well-known/openid-configuration" and discovery is not None:
                return JSONResponse(discovery)
            if path == "auth/token":
                return token()
            if path == "3/events" and events is not None:
                self.received.append(await request.json())
                return events()
            return JSONResponse({"code": "NotFound", "message": "no such thing"}, 404)


def _token_ok() -> Response:
    return JSONResponse({"access_token": "t0k", "token_type": "bearer", "expires_in": 3600})


def test_remote_bodies_and_redirects_are_not_echoed(node: Any, internal: Listener) -> None:
    """``lastError`` gives the status and an enumerated PACT/OAuth error code, never the host's text: a PACT
    error whose message is a secret, a plain-text answer, an unknown code, a redirect (not followed) whose body
    is a secret, a service that does not speak HTTP at all."""
    redirect = f"http://127.0.0.1:{internal.port}/internal"
    hosts = {
        "pact-error": Host(
            _token_ok, lambda: JSONResponse({"code": "InternalError", "message": SECRET}, status_code=500)
        ),
        "plain-text": Host(lambda: Response(SECRET, status_code=401, media_type="text/plain")),
        "unknown-code": Host(lambda: JSONResponse({"error": SECRET, "error_description": SECRET}, 400)),
        "redirect": Host(
            lambda: Response(SECRET, status_code=307, headers={"location": redirect}, media_type="text/plain")
        ),
    }
    not_http = Listener()
    with (
        serve(hosts["pact-error"].app) as pact_error,
        serve(hosts["plain-text"].app) as plain_text,
        serve(hosts["unknown-code"].app) as unknown_code,
        serve(hosts["redirect"].app) as redirecting,
    ):
        garbage = f"http://127.0.0.1:{not_http.port}"  # allowed too: it answers, but not in HTTP
        targets = {pact_error, plain_text, unknown_code, redirecting, garbage}
        settings = pact_settings(remote_allowlist=" ".join(targets))
        with TestClient(_app(node, settings)) as client:
            buyer = register(client, "Buyer", ["buyer"])
            headers = pact_bearer(client, buyer)
            for target in targets:
                assert _add_host(client, buyer, target).status_code == 201
                _ask(client, headers, target)
            rows = _tried(client, buyer, targets)
    not_http.close()
    errors = {target: rows[target]["lastError"] for target in targets}
    for error in errors.values():
        assert SECRET not in error and "internal-" not in error, errors
    assert errors[pact_error] == "PactClientError: Action Events failed: HTTP 500 InternalError"
    assert errors[plain_text] == "PactClientError: token request failed: HTTP 401"
    assert errors[unknown_code] == "PactClientError: token request failed: HTTP 400"
    assert errors[redirecting] == (
        "PactClientError: token request failed: HTTP 307 (a redirect: redirects are not followed)"
    )
    assert errors[garbage].startswith(("RemoteProtocolError:", "ReadError:", "LocalProtocolError:")), errors
    assert not_http.connections >= 1 and internal.connections == 0  # the redirect was not followed


# ---------------------------------------------------------------- token endpoints named by discovery
def test_token_endpoints_on_another_origin_need_the_operator(node: Any, tmp_path: Path) -> None:
    """A host's discovery document names a token endpoint on another origin (HTTPS, so the rule of HTTPS alone
    let it through): refused, the credentials never sent there, ``lastError`` says so. Once the operator lists
    that origin, the token comes from there and the event is delivered."""
    cert, key = write_self_signed(tmp_path / "tls", hosts=("127.0.0.1",))
    idp_hits: list[str] = []
    idp = FastAPI()

    @idp.post("/oauth/token")
    async def issue() -> Response:
        idp_hits.append("token")
        return _token_ok()

    with serve(idp, cert=str(cert), key=str(key)) as idp_base:
        discovery = {"issuer": idp_base, "token_endpoint": f"{idp_base}/oauth/token"}
        requester = Host(_token_ok, lambda: Response(status_code=200), discovery)
        with serve(requester.app) as requester_base:
            only_host = pact_settings(remote_allowlist=requester_base, remote_ca_file=str(cert))
            with TestClient(_app(node, only_host)) as client:
                buyer = register(client, "Buyer", ["buyer"])
                assert _add_host(client, buyer, requester_base).status_code == 201
                _ask(client, pact_bearer(client, buyer), requester_base)
                row = _tried(client, buyer, {requester_base})[requester_base]
            assert idp_hits == [] and requester.received == []
            assert row["lastError"].startswith(
                "PactClientError: token endpoint of the discovery document refused: "
                "the discovery document names a token endpoint on another origin"
            ), row
            both = pact_settings(remote_allowlist=f"{requester_base} {idp_base}", remote_ca_file=str(cert))
            with TestClient(_app(node, both)) as client:
                deadline = time.monotonic() + 30
                while not requester.received:
                    assert time.monotonic() < deadline, client.get("/pact/outbox", headers=buyer.auth).text
                    time.sleep(0.1)
    assert idp_hits and requester.received[0]["data"]["error"]["code"] == "NotFound"


# ---------------------------------------------------------------- tanlian pact pull
def test_pull_keeps_the_token_on_the_hosts_origin(internal: Listener) -> None:
    """``tanlian pact pull`` (the user chose the host): a next-page link to another origin is not followed, as
    it would carry the access token there; the host's own error message is shown, with control characters
    (terminal escapes) removed."""
    host = FastAPI()

    @host.post("/auth/token")
    async def token(request: Request) -> Response:
        basic = request.headers.get("authorization", "").removeprefix("Basic ")
        if base64.b64decode(basic).decode().endswith(":wrong"):
            return JSONResponse(
                {"error": "invalid_client", "error_description": "bad \x1b[2Jcredentials"}, 401
            )
        return _token_ok()

    @host.get("/3/footprints")
    async def footprints() -> Response:
        steal = f"http://127.0.0.1:{internal.port}/steal"
        return JSONResponse({"data": []}, headers={"link": f'<{steal}>; rel="next"'})

    cli = typer.Typer()
    pact_cmds.register(cli)
    with serve(host) as base:
        pulled = CliRunner().invoke(
            cli, ["pact", "pull", "--from", base, "--client-id", "me", "--client-secret", "s"]
        )
        assert pulled.exit_code != 0
        assert "leaves the host's origin" in pulled.output, pulled.output
        refused = CliRunner().invoke(
            cli, ["pact", "pull", "--from", base, "--client-id", "me", "--client-secret", "wrong"]
        )
    assert refused.exit_code != 0
    assert "HTTP 401 invalid_client (the host says: bad [2Jcredentials)" in refused.output, refused.output
    assert "\x1b" not in refused.output
    assert internal.connections == 0
