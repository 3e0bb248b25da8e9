"""No Docker engine runs in CI: check the compose file's services, ports and environment instead."""

from __future__ import annotations

from pathlib import Path

import yaml

from node_service.settings import Settings

DOCKER = Path(__file__).resolve().parents[3] / "docker"


def test_compose_services_ports_and_env():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "devnet", "ipfs", "node"}
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
