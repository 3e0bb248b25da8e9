"""`tanlian serve` behind a TLS-terminating reverse proxy: X-Forwarded-Proto and X-Forwarded-For are believed
from the peers of TANLIAN_TRUSTED_PROXIES only, for the whole app (the PACT read fast path included).

One real `tanlian serve` on plain HTTP trusts 127.0.0.2. Clients bound to 127.0.0.2 stand in for a proxy; clients
on 127.0.0.1 are strangers whose forwarded headers must change nothing; and a real nginx with TLS, configured
from docker/nginx.conf and connecting from 127.0.0.2, is the proxy buyers meet in a deployment.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from node_service.chain.devnet import free_loopback_port
from node_service.cli import serve_cmds
from node_service.services.pact.tls import write_self_signed
from node_service.settings import Settings
from tests.node_service.clirun import run, serve
from tests.node_service.helpers import (
    Org,
    activity,
    pact_bearer,
    register,
    signed_activity,
    wait_receipt,
)
from tests.node_service.services.pact.pact_client import next_url

DOCKER = Path(__file__).resolve().parents[3] / "docker"
PROXY = "127.0.0.2"  # the one peer the node trusts
PUBLIC = "pact.example.org"  # the name buyers address the proxy by
FORWARDED = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7", "host": PUBLIC}


@dataclass
class Served:
    base: str  # the node's own plain-HTTP address
    supplier: Org
    buyer: Org
    footprints: list[str]  # published by the supplier, shared with the buyer
    tmp: Path


def client(base: str, *, source: str = "127.0.0.1", headers: dict[str, str] | None = None) -> httpx.Client:
    """A plain-HTTP client whose connections come from ``source`` (any 127/8 address reaches loopback)."""
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=base, transport=transport, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("proxied")
    port = free_loopback_port()
    proc = serve(tmp / "data", port, TANLIAN_TRUSTED_PROXIES=PROXY, TANLIAN_LOG_LEVEL="warning")
    base = f"http://127.0.0.1:{port}"
    try:
        with client(base, source=PROXY, headers=FORWARDED) as http:
            supplier = register(http, "Yunnan Smelter", ["supplier"])
            buyer = register(http, "EV Motor Maker", ["buyer"])
            footprints = []
            for product in ("88.118.8/AL-INGOT-A00", "88.118.8/AL-INGOT-B00"):
                subject = activity(supplier.did, productIdentifier=product)
                submitted = http.post("/submissions", json=signed_activity(supplier, subject))
                assert submitted.status_code == 201, submitted.text
                footprint_id = submitted.json()["footprintId"]
                published = http.post(
                    f"/pact/footprints/{footprint_id}/publish",
                    json={"shareWith": [buyer.did]},
                    headers=supplier.auth,
                )
                assert published.status_code in (200, 201), published.text
                footprints.append(footprint_id)
        yield Served(base, supplier, buyer, footprints, tmp)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_trusted_proxy_says_https_and_names_the_host(served: Served) -> None:
    with client(served.base, source=PROXY, headers=FORWARDED) as proxy:
        bearer = pact_bearer(proxy, served.buyer)  # Action Authenticate refuses plain HTTP too

        # ListFootprints (the fast path): answered, its Link on the forwarded scheme and host
        page = proxy.get("/3/footprints", params={"limit": 1}, headers=bearer)
        assert page.status_code == 200, page.text
        link = next_url(page)
        assert link is not None and link.startswith(f"https://{PUBLIC}/3/footprints?"), link
        # GetFootprint (the fast path) and the v2.3 read: the receipt URLs on https://<forwarded host>
        for path in ("/3/footprints/{}", "/2/footprints/{}"):
            one = proxy.get(path.format(served.footprints[0]), headers=bearer)
            assert one.status_code == 200, one.text
            receipt = one.json()["data"]["extensions"][0]["data"]
            assert receipt["receiptUrl"] == f"https://{PUBLIC}/receipts/{served.footprints[0]}"
            assert receipt["pactReceiptUrl"] == f"https://{PUBLIC}/pact/receipts/{served.footprints[0]}"
        # through FastAPI's routing (not the fast path): the OpenID discovery document
        discovery = proxy.get("/.well-known/openid-configuration")
        assert discovery.status_code == 200, discovery.text
        assert discovery.json()["token_endpoint"] == f"https://{PUBLIC}/auth/token"


def test_a_strangers_forwarded_headers_are_ignored(served: Served) -> None:
    with client(served.base, source=PROXY, headers=FORWARDED) as proxy:
        bearer = pact_bearer(proxy, served.buyer)
    with client(served.base, headers=FORWARDED) as stranger:  # 127.0.0.1: not a trusted proxy
        for path in ("/3/footprints", f"/3/footprints/{served.footprints[0]}", "/2/footprints"):
            refused = stranger.get(path, headers=bearer)
            assert refused.status_code == 400, (path, refused.text)
            assert refused.json()["code"] == "BadRequest" and "HTTPS" in refused.json()["message"]
        token = stranger.post("/auth/token", data={"grant_type": "client_credentials"}, auth=("x", "y"))
        assert token.status_code == 400 and token.json()["error"] == "invalid_request", token.text


def test_nothing_is_trusted_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANLIAN_TRUSTED_PROXIES", raising=False)
    # uvicorn alone would believe loopback (127.0.0.1, ::1); the node leaves the middleware out
    assert serve_cmds.proxy_options(Settings()) == {
        "proxy_headers": False,
        "forwarded_allow_ips": [],
    }
    options = serve_cmds.proxy_options(Settings(trusted_proxies=" 10.0.0.5, 172.30.80.0/24 ,::1"))
    assert options == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.5", "172.30.80.0/24", "::1"]}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("*", "would believe forwarded headers from anyone"),
        ("nginx", "not a host name"),
        ("10.0.0.5/24", "host bits set"),
        ("10.0.0.5,300.1.1.1", "'300.1.1.1' is not an IP address"),
    ],
)
def test_trusted_proxies_uvicorn_could_not_match_are_refused(value: str, says: str) -> None:
    """uvicorn would keep such an entry as a literal that matches no peer (or, for '*', every peer)."""
    with pytest.raises(ValidationError, match=says):
        Settings(trusted_proxies=value)


def test_serve_names_the_setting_it_refuses() -> None:
    result = run("serve", TANLIAN_TRUSTED_PROXIES="nginx", timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: TANLIAN_TRUSTED_PROXIES: "), result.stderr
    assert "not a host name" in result.stderr and "Traceback" not in result.stderr


# -- a real nginx in front ------------------------------------------------------------------------------------


def nginx_config(served: Served, port: int, tls: Path) -> Path:
    """docker/nginx.conf with loopback addresses and test paths, inside a main configuration of its own."""
    site = (DOCKER / "nginx.conf").read_text()
    node_port = served.base.rsplit(":", 1)[1]
    for ours, theirs in (
        ("server node:8000;", f"server 127.0.0.1:{node_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        ("/etc/nginx/tls/", f"{tls}/"),
    ):
        assert ours in site, f"docker/nginx.conf no longer has {ours!r}: update this test"
        site = site.replace(ours, theirs)
    work = served.tmp / "nginx"
    work.mkdir(exist_ok=True)
    (work / "site.conf").write_text(site)
    main = work / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers read the test's files
        + f"daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
        + "events { worker_connections 64; }\n"
        + "http {\n    access_log off;\n"
        + f"    client_body_temp_path {work}/body;\n    proxy_temp_path {work}/proxy;\n"
        + f"    proxy_bind {PROXY};  # the address the node trusts\n"
        + f"    include {work}/site.conf;\n}}\n"
    )
    return main


@pytest.fixture
def nginx(served: Served) -> Iterator[tuple[str, ssl.SSLContext]]:
    """nginx terminating TLS on a loopback port in front of the served node: its https base URL, and a TLS
    context trusting its certificate."""
    executable = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI: .ci/run installs nginx-light")
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    tls = served.tmp / "tls"
    write_self_signed(tls, hosts=("localhost",), days=1)  # what `tanlian tls self-signed` writes
    port = free_loopback_port()
    config = nginx_config(served, port, tls)
    trust = ssl.create_default_context(cafile=tls / "cert.pem")
    work = config.parent
    proc = subprocess.Popen(
        [executable, "-p", str(work), "-e", str(work / "error.log"), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, (proc.stderr.read() if proc.stderr else "") + (
                work / "error.log"
            ).read_text()
            try:
                httpx.get(f"https://localhost:{port}/healthz", verify=trust, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield f"https://localhost:{port}", trust
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_pact_through_nginx_terminating_tls(served: Served, nginx: tuple[str, ssl.SSLContext]) -> None:
    base, trust = nginx
    # a client's own forwarded headers are replaced by nginx's, never passed on
    spoof = {"x-forwarded-proto": "http", "x-forwarded-for": "198.51.100.9"}
    with httpx.Client(base_url=base, verify=trust, headers=spoof, timeout=60) as buyer:
        bearer = pact_bearer(buyer, served.buyer)  # Action Authenticate through nginx
        page = buyer.get("/3/footprints", params={"limit": 1}, headers=bearer)
        assert page.status_code == 200, page.text
        link = next_url(page)
        assert link is not None and link.startswith(f"{base}/3/footprints?"), link
        follow = buyer.get(link, headers=bearer)
        assert follow.status_code == 200, follow.text
        assert {pf["id"] for pf in page.json()["data"] + follow.json()["data"]} == set(served.footprints)
        one = buyer.get(f"/3/footprints/{served.footprints[1]}", headers=bearer)
        assert one.status_code == 200, one.text
        receipt_url = one.json()["data"]["extensions"][0]["data"]["receiptUrl"]
        assert receipt_url == f"{base}/receipts/{served.footprints[1]}"
        assert wait_receipt(buyer, served.footprints[1], served.buyer)  # the URL answers through nginx
