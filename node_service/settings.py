"""Node configuration: one pydantic-settings object, environment prefix ``TANLIAN_``."""

from __future__ import annotations

import ipaddress
import shutil
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "repo_root"]


def repo_root() -> Path:
    """The checkout this package runs from (editable installs), where node_modules/ lives."""
    return Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything the node reads from its environment. Defaults give the embedded, one-machine node."""

    model_config = SettingsConfigDict(env_prefix="TANLIAN_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("tanlian-data"), description="SQLite, evidence, devnet state, keys")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")
    chain_rpc: str | None = Field(
        default=None, description="Ethereum JSON-RPC URL; unset starts an anvil devnet"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    trusted_proxies: str = Field(
        default="",
        description="comma-separated IP addresses or CIDR networks of the reverse proxies that terminate TLS in "
        "front of the node: X-Forwarded-Proto and X-Forwarded-For are believed from these peers only. Empty (the "
        "default): from nobody, loopback included",
    )
    chain_rpc_is_local_devnet: bool = Field(
        default=False,
        description="set for workers by `tanlian serve --workers`: TANLIAN_CHAIN_RPC is the primary's own "
        "loopback devnet (so GET /chain may show its URL)",
    )
    workers: int = Field(default=1, ge=1, le=64, description="server processes of `tanlian serve`")
    node_role: str = Field(
        default="primary",
        pattern="^(primary|worker)$",
        description="worker: an extra server process started by `tanlian serve --workers`; it uses the "
        "database, chain and contract its primary set up and runs no devnet, migrations or anchorer",
    )
    anvil_path: str | None = Field(
        default=None, description="anvil executable; default node_modules/.bin/anvil"
    )
    anchor_interval_seconds: float = Field(default=5.0, gt=0)
    anchor_batch_size: int = Field(default=10_000, gt=0)
    chain_confirmations: int = Field(default=1, ge=1)
    chain_private_key_file: Path | None = Field(
        default=None,
        description="hex private key of the anchoring account; default generated in data_dir/keys",
    )
    log_tile_cache_mib: int = Field(
        default=64,
        ge=0,
        description="memory per server process for the log's bottom tiles (62 hashes each): 64 MiB holds "
        "every tile of a log of 1.08 M entries, so proofs there read nothing from the database; 0 turns it off",
    )
    evidence_backend: str = Field(default="local", pattern="^(local|kubo)$")
    kubo_api_url: str = "http://127.0.0.1:5001"
    log_level: str = "info"
    handle_upstreams: str = Field(
        default="", description="comma-separated Handle REST base URLs asked for prefixes not served here"
    )
    strict_identifiers: bool = Field(
        default=True,
        description="refuse (422) cited handles whose prefix neither this node nor an upstream serves; false: "
        "an operator's opt-out for a node accepting citations of prefixes no resolver serves yet (accepted "
        "and flagged unresolved-identifier)",
    )

    max_body_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=64 * 1024,
        description="the largest request body but uploads (JSON documents, forms): a signed credential is at "
        "most 4 MiB; larger bodies answer 413, from Content-Length before anything is read",
    )
    max_upload_bytes: int = Field(
        default=257 * 1024 * 1024,
        ge=64 * 1024,
        description="the largest multipart body sent to an upload route (evidence files, the portal's receipt "
        "check, which takes a file of up to 256 MiB; the evidence service itself stops files at 100 MiB); "
        "streamed to disk, never held in memory",
    )
    max_json_depth: int = Field(
        default=64,
        ge=8,
        le=512,
        description="the deepest nesting of a JSON body, measured before it is parsed (the deepest document the "
        "node takes, a signed activity-data credential, nests 8 levels; credentials allow 64)",
    )
    hsts_max_age_seconds: int = Field(
        default=31_536_000,
        ge=0,
        description="max-age of the Strict-Transport-Security header on responses served over HTTPS (the node's "
        "own TLS, or a trusted proxy's X-Forwarded-Proto); 0 sends none. Never sent over plain HTTP",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def trusted_proxies_are_addresses_or_networks(cls, value: str) -> str:
        for entry in _entries(value):
            if entry == "*":
                raise ValueError(
                    "'*' would believe forwarded headers from anyone — list the proxies' addresses or networks"
                )
            try:
                ipaddress.ip_network(entry)
            except ValueError as exc:
                raise ValueError(
                    f"{entry!r} is not an IP address or CIDR network ({exc}) — give the proxy's address as seen "
                    "by the node (e.g. 10.0.0.5, or 10.0.0.0/24 with the host bits zero), not a host name"
                ) from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The reverse proxies' addresses and networks, in the form uvicorn's ``forwarded_allow_ips`` takes."""
        return _entries(self.trusted_proxies)

    @cached_property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'tanlian.db'}"

    @property
    def handle_upstream_urls(self) -> list[str]:
        return _entries(self.handle_upstreams)

    @property
    def evidence_dir(self) -> Path:
        return self.resolved_data_dir / "evidence"

    @property
    def devnet_dir(self) -> Path:
        return self.resolved_data_dir / "devnet"

    @property
    def brightway_dir(self) -> Path:
        return self.resolved_data_dir / "brightway"

    @property
    def keys_dir(self) -> Path:
        return self.resolved_data_dir / "keys"

    def anvil_executable(self) -> str | None:
        """Path of the anvil binary: explicit setting, the project's pinned npm copy, then PATH."""
        if self.anvil_path:
            return self.anvil_path
        pinned = repo_root() / "node_modules" / ".bin" / "anvil"
        if pinned.exists():
            return str(pinned)
        return shutil.which("anvil")


def _entries(value: str) -> list[str]:
    """The non-empty items of a comma-separated setting."""
    return [item.strip() for item in value.split(",") if item.strip()]
