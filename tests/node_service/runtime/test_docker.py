"""No Docker engine runs in CI: check the compose file's services, ports and environment instead."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from node_service.settings import Settings

DOCKER = Path(__file__).resolve().parents[3] / "docker"


def test_compose_services_ports_and_env():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "devnet", "ipfs", "node", "nginx", "caddy"}
    assert "127.0.0.1:8000:8000" in services["node"]["ports"]
    assert "127.0.0.1:5001:5001" in services["ipfs"]["ports"]  # Kubo's RPC stays on loopback
    env = services["node"]["environment"]
    for name in (
        "TANLIAN_DATABASE_URL",
        "TANLIAN_CHAIN_RPC",
        "TANLIAN_DATA_DIR",
        "TANLIAN_HOST",
        "TANLIAN_PORT",
    ):
        assert name in env
    assert env["TANLIAN_CHAIN_RPC"] == "http://devnet:8545"
    assert "@postgres:5432/" in env["TANLIAN_DATABASE_URL"]
    assert env["TANLIAN_KUBO_API_URL"] == "http://ipfs:5001"
    # every TANLIAN_ variable the compose file sets is one the node reads
    known = {f"TANLIAN_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= known, set(env) - known
    assert services["node"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_dockerfile_installs_pinned_sets():
    text = (DOCKER / "Dockerfile").read_text()
    assert "npm ci" in text and "-c constraints.txt" in text
    assert 'CMD ["tanlian", "serve"]' in text


def test_kubo_keeps_evidence_private():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    ipfs = compose["services"]["ipfs"]
    assert not any(str(p).endswith(":4001") for p in ipfs["ports"]), "swarm port must not be published"
    assert any("kubo-init.sh" in v for v in ipfs["volumes"])
    assert "Routing.Type none" in (DOCKER / "kubo-init.sh").read_text()


def test_only_the_tls_proxies_are_trusted():
    """nginx and Caddy (one compose profile each) have fixed addresses, exactly the node's trusted proxies; no
    other container can be given one, and the gateway that published ports come through is not among them."""
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    trusted = Settings(trusted_proxies=services["node"]["environment"]["TANLIAN_TRUSTED_PROXIES"])
    ipam = compose["networks"]["default"]["ipam"]["config"][0]
    subnet, dynamic = ipaddress.ip_network(ipam["subnet"]), ipaddress.ip_network(ipam["ip_range"])
    fixed = set()
    for name in ("nginx", "caddy"):
        proxy = services[name]
        assert proxy["profiles"] == [name]
        assert "443:443" in proxy["ports"]
        address = ipaddress.ip_address(proxy["networks"]["default"]["ipv4_address"])
        assert address in subnet and address not in dynamic and address != next(subnet.hosts())
        fixed.add(str(address))
    assert set(trusted.trusted_proxy_list) == fixed
    assert any(v.startswith("./nginx.conf:") for v in services["nginx"]["volumes"])
    assert any(v.startswith("./Caddyfile:") for v in services["caddy"]["volumes"])


def test_nginx_sets_the_forwarded_headers_itself():
    """Set, not appended: a client's own X-Forwarded-* never reaches the node through nginx (the end-to-end
    check is tests/node_service/cli/test_serve_behind_proxy.py)."""
    conf = (DOCKER / "nginx.conf").read_text()
    for line in (
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "server node:8000;",
    ):
        assert line in conf, line
    assert "reverse_proxy node:8000" in (DOCKER / "Caddyfile").read_text()
