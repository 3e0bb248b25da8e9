"""Which other PACT hosts this node sends to: the default rules, and the operator's allow-list that may break them.

Default rules for a remote host (``POST /pact/remote-hosts`` ``baseUrl``) and for every request the node sends
to one (events, token requests, OpenID discovery):

(1) the URL is ``https://``, without user information (``user:password@``);
(2) the host's name resolves to public addresses only: loopback, private (RFC 1918, ULA), link-local (cloud
    metadata at 169.254.169.254), CGNAT (100.64.0.0/10), unspecified, multicast, reserved and documentation
    addresses are refused, also when embedded in IPv6 (IPv4-mapped, 6to4, Teredo, NAT64). The check holds at
    connection time: the node connects to the address it checked (:mod:`.egress`), so a name that resolves
    to something else a second later (DNS rebinding) gains nothing;
(3) a token endpoint named by the host's OpenID discovery document is on the host's own origin.

The operator's allow-list (``TANLIAN_PACT_REMOTE_ALLOWLIST``: origins ``scheme://host[:port]``, space- or
comma-separated) names origins exempt from (1)–(3): a conformance service or a test host on loopback over plain
HTTP, an identity provider on another origin.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from node_service.errors import ValidationFailed

__all__ = [
    "RemotePolicy",
    "RemoteRefused",
    "Resolver",
    "address_refusal",
    "origin",
    "system_resolver",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}
#: a registration waits this long for DNS before it accepts a name (delivery checks again at connection time)
REGISTRATION_DNS_SECONDS = 3.0

#: ``resolver(host, port)`` → the host's addresses (IP literals), in the order to try them; raises OSError
Resolver = Callable[[str, int], list[str]]

_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598 shared address space
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix: the last 32 bits are IPv4
#: not globally reachable, though some Python versions call them global (IANA special-purpose registries)
_NOT_GLOBAL = tuple(
    ipaddress.ip_network(net)
    for net in ("192.0.0.0/24", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "fec0::/10")
)


class RemoteRefused(Exception):
    """A remote PACT host (or an address it resolves to) broke the rules above; the message is ours only."""


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


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, Teredo client, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


def address_refusal(address: str) -> str | None:
    """Why the node may not connect to ``address`` (an IP literal) by default (None: it is public)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) names no address
    except ValueError:
        return f"{address[:60]!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = address_refusal(str(embedded))
            if inner is not None:
                return f"{ip} embeds an IPv4 address: {inner}"
            if ip in _NAT64:  # DNS64 on an IPv6-only network: a public IPv4 host through the NAT64 gateway
                return None
    kind = (
        "unspecified"
        if ip.is_unspecified
        else "loopback"
        if ip.is_loopback
        else "cloud metadata (link-local)"
        if ip in _METADATA
        else "link-local"
        if ip.is_link_local
        else "multicast"
        if ip.is_multicast
        else "reserved"
        if ip.is_reserved
        else "shared (CGNAT, 100.64.0.0/10)"
        if ip in _CGNAT
        else "private"
        if ip.is_private
        else "not globally reachable"
        if not ip.is_global or any(ip in net for net in _NOT_GLOBAL if net.version == ip.version)
        else None
    )
    return None if kind is None else f"{ip} is a {kind} address"


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the operating system's resolver (``getaddrinfo``), duplicates removed."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url.strip())
    return (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 443)


class RemotePolicy:
    """The default rules for remote PACT hosts, the operator's allow-list (origins, see the module docstring),
    and the resolver that turns names into addresses (the operating system's unless a test gives its own)."""

    def __init__(self, allowlist: str = "", *, resolver: Resolver = system_resolver) -> None:
        entries = [entry for entry in allowlist.replace(",", " ").split() if entry]
        bad = [entry for entry in entries if origin(entry) is None]
        if bad:
            raise ValueError(
                f"TANLIAN_PACT_REMOTE_ALLOWLIST: {bad[0]!r} is not an origin like https://host:port"
            )
        self.allowed: frozenset[str] = frozenset(o for o in map(origin, entries) if o is not None)
        #: (host, port) of the allowed origins: connections to them skip the address check (rule 2)
        self.allowed_endpoints: frozenset[tuple[str, int]] = frozenset(map(_host_port, entries))
        self.resolver = resolver

    # ------------------------------------------------------------------------------------------ rule (1)
    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be used, by rule (1) (None: it may)."""
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

    def base_url_refusal(self, url: str) -> str | None:
        """Why ``url`` may not be a remote host's base URL (None: it may): rule (1), and no query or fragment —
        paths are appended to a base URL (``/3/events``), which a query would swallow."""
        reason = self.refusal(url)
        if reason is None and ("?" in url or "#" in url):
            reason = "a PACT host's base URL has no query (?) or fragment (#)"
        return reason

    # ------------------------------------------------------------------------------------------ rule (2)
    def connectable(self, host: str, port: int) -> list[str] | None:
        """The addresses of ``host`` the node may connect to on ``port``, in order (None: any address, as the
        operator allowed this host and port). Raises RemoteRefused when there is none, OSError when the name
        does not resolve."""
        host = host.lower().strip("[]")
        if (host, port) in self.allowed_endpoints:
            return None
        addresses = self.resolver(host, port)
        usable = [address for address in addresses if address_refusal(address) is None]
        if not usable:
            reasons = "; ".join(filter(None, map(address_refusal, addresses[:3])))
            raise RemoteRefused(
                f"{host} resolves to no public address ({reasons or 'no address'}): PACT hosts are reached on "
                "public addresses only (an operator may allow the origin in TANLIAN_PACT_REMOTE_ALLOWLIST)"
            )
        return usable

    def check(self, url: str, field: str) -> None:
        """Refuse ``url`` as a base URL (422 naming ``field``) by rule (1), and by rule (2) when its name
        resolves, within REGISTRATION_DNS_SECONDS, to refused addresses only. A name that does not resolve
        (yet) is accepted: delivery checks again at connection time and records why it failed."""
        fix = "give the host's https:// URL on a public address"
        reason = self.base_url_refusal(url)
        if reason is None:
            try:
                self._resolve_for_registration(url)
            except RemoteRefused as exc:
                reason = str(exc)
        if reason is not None:
            raise ValidationFailed(f"{field}: {reason}", field=field, fix=fix)

    def _resolve_for_registration(self, url: str) -> None:
        host, port = _host_port(url)
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pact-dns")
        try:
            pool.submit(self.connectable, host, port).result(timeout=REGISTRATION_DNS_SECONDS)
        except (OSError, UnicodeError, concurrent.futures.TimeoutError):
            return  # unknown or unreachable now: checked at delivery
        finally:
            pool.shutdown(wait=False)

    # ------------------------------------------------------------------------------------------ rule (3)
    def token_endpoint_refusal(self, endpoint: str, host_url: str) -> str | None:
        """Why the token endpoint a host's discovery document names may not be used (None: it may): it must be
        on the host's origin, or on an origin the operator allows; and it must pass rule (1)."""
        found = origin(endpoint)
        if found is None:
            return "the discovery document's token_endpoint is not an absolute http(s) URL"
        if found != origin(host_url) and found not in self.allowed:
            return (
                f"the discovery document names a token endpoint on another origin ({found}): token endpoints "
                "are used on the host's own origin, or on one the operator lists in TANLIAN_PACT_REMOTE_ALLOWLIST"
            )
        return self.refusal(endpoint)
