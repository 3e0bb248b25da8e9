"""PACT settings (environment prefix ``TANLIAN_PACT_``)."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from node_service.services.pact.remotes import RemotePolicy

__all__ = ["PactSettings"]


class PactSettings(BaseSettings):
    """How the PACT endpoints behave. Defaults suit production (HTTPS only)."""

    model_config = SettingsConfigDict(env_prefix="TANLIAN_PACT_", env_file=None, extra="ignore")

    allow_http: bool = Field(
        default=False, description="serve PACT endpoints over plain HTTP (local testing only)"
    )
    token_ttl_seconds: int = Field(default=3600, ge=1, le=86_400, description="access token lifetime")
    max_limit: int = Field(default=1000, ge=1, description="largest page a ListFootprints call returns")
    default_limit: int = Field(default=100, ge=1, description="page size when no limit is given")
    reader_threads: int | None = Field(
        default=None,
        ge=0,
        le=256,
        description="threads serving ListFootprints/GetFootprint at once; 0 runs them on the event loop; "
        "default 0 on SQLite, 4 on PostgreSQL",
    )
    rendered_cache_size: int = Field(
        default=20_000,
        ge=0,
        description="rendered ProductFootprints kept per process (about 3 KB each); 0 turns the cache off",
    )
    page_link_ttl_seconds: int = Field(
        default=3600, ge=180, description="pagination links stay valid this long"
    )
    delivery_interval_seconds: float = Field(default=1.0, gt=0, description="outbox poll interval")
    delivery_backoff_seconds: float = Field(default=2.0, gt=0, description="first retry delay (doubles)")
    delivery_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    delivery_give_up_seconds: float = Field(
        default=3 * 86_400.0, gt=0, description="spec: do not retry a response event for more than 3 days"
    )
    delivery_timeout_seconds: float = Field(default=10.0, gt=0)
    verify_remote_tls: bool = Field(default=True, description="verify other hosts' TLS certificates")
    remote_allowlist: str = Field(
        default="",
        description="origins (scheme://host[:port], space- or comma-separated) of remote PACT hosts and token "
        "endpoints that may break the default rules (HTTPS only): e.g. a conformance service on loopback",
    )
    remote_ca_file: str | None = Field(default=None, description="extra CA bundle for other PACT hosts")

    @field_validator("remote_allowlist")
    @classmethod
    def _origins(cls, value: str) -> str:
        RemotePolicy(value)  # raises ValueError naming the entry that is not an origin
        return value

    @cached_property
    def remotes(self) -> RemotePolicy:
        """The rule for remote PACT hosts and token endpoints, with the operator's allow-list."""
        return RemotePolicy(self.remote_allowlist)
