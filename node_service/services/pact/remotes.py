"""Which other PACT hosts this node sends to: the default rule, and the operator's allow-list that may break it.

Default: a remote host (``POST /pact/remote-hosts`` ``baseUrl``), and a token endpoint its OpenID discovery
document names, must be HTTPS, without user information in the URL. The operator's allow-list
(``TANLIAN_PACT_REMOTE_ALLOWLIST``: origins ``scheme://host[:port]``, space- or comma-separated) names hosts and
token endpoints that may break the default rules — a conformance service or a test host on loopback over plain
HTTP. The hardening of remote hosts (addresses checked after DNS resolution) builds on the same list.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from node_service.errors import ValidationFailed

__all__ = ["RemotePolicy", "origin"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, lower-cased, the scheme's default port left out
    (None: not such a URL)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


class RemotePolicy:
    """The default rule for remote PACT URLs and the operator's allow-list (origins, see the module docstring)."""

    def __init__(self, allowlist: str = "") -> None:
        entries = [entry for entry in allowlist.replace(",", " ").split() if entry]
        self.allowed: frozenset[str] = frozenset(o for o in map(origin, entries) if o is not None)
        bad = [entry for entry in entries if origin(entry) is None]
        if bad:
            raise ValueError(
                f"TANLIAN_PACT_REMOTE_ALLOWLIST: {bad[0]!r} is not an origin like https://host:port"
            )

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be used (None: it may)."""
        found = origin(url)
        if found is None:
            return f"{url[:100]!r} is not an absolute http(s) URL"
        if found in self.allowed:
            return None
        parts = urlsplit(url.strip())
        if parts.username is not None or parts.password is not None:
            return "a URL with user information (user:password@) is not accepted"
        if parts.scheme.lower() != "https":
            return (
                f"{found} is not HTTPS: PACT hosts are reached over HTTPS only "
                "(an operator may allow it in TANLIAN_PACT_REMOTE_ALLOWLIST, e.g. for a local test host)"
            )
        return None

    def check(self, url: str, field: str) -> None:
        """Refuse ``url`` as a request field (422 naming ``field``)."""
        reason = self.refusal(url)
        if reason is not None:
            raise ValidationFailed(f"{field}: {reason}", field=field, fix="give the host's https:// URL")
