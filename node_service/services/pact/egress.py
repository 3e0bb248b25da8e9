"""The HTTP transport the node uses to reach other PACT hosts: rule (2) of :mod:`.remotes` held at connection time.

The usual client resolves a name and connects to whatever the resolver says at that moment, so a check made
beforehand can be undone by a second DNS answer (DNS rebinding). Here the name is resolved once, each address is
checked, and the socket is opened to a checked address; the peer the socket is connected to is checked again.
TLS is unchanged: the handshake still sends the host's name (SNI) and verifies the certificate against it,
because httpcore starts TLS with the URL's host, not the address the TCP connection went to.

Redirects are never followed (``follow_redirects=False``); proxies and ``.netrc`` from the environment are not
used (a proxy would make the address checked the proxy's).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from node_service.services.pact.remotes import RemotePolicy, RemoteRefused, address_refusal

__all__ = ["checked_client", "ssl_context"]

#: a name's public addresses tried in turn, at most this many (each may take the whole connect timeout, and
#: one delivery worker serves every host)
MAX_ADDRESSES_TRIED = 3


def ssl_context(verify: Any) -> ssl.SSLContext:
    """``verify`` as httpx takes it (True, False, a CA file's path, or a context) as an SSL context."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return httpx.create_ssl_context(verify=bool(verify))  # SSL_CERT_FILE / SSL_CERT_DIR as httpx reads them


class _CheckedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the policy allows (see the module docstring)."""

    def __init__(self, policy: RemotePolicy) -> None:
        self._policy = policy
        self._system = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._policy.connectable(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} does not resolve ({type(exc).__name__})") from None
        if addresses is None:  # the operator allows this host and port: any address
            return self._system.connect_tcp(host, port, timeout, local_address, socket_options)
        failure: httpcore.ConnectError | None = None
        for address in addresses[:MAX_ADDRESSES_TRIED]:
            try:
                stream = self._system.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            peer = stream.get_extra_info("socket").getpeername()[0]
            refused = address_refusal(str(peer))
            if refused is not None:  # not what we connected to: never send it anything
                stream.close()
                raise RemoteRefused(f"{host}: connected to a refused address ({refused})")
            return stream
        assert failure is not None  # connectable returns at least one address
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise RemoteRefused("a Unix socket is not a remote PACT host")

    def sleep(self, seconds: float) -> None:
        self._system.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self, policy: RemotePolicy, context: ssl.SSLContext) -> None:
        super().__init__(verify=context, trust_env=False)
        # httpx builds its connection pool without a way to give it a network backend: build it again, the
        # same but for the backend (a test connects to a name that resolves to loopback and expects a refusal)
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_CheckedBackend(policy))


def checked_client(policy: RemotePolicy, *, verify: Any = True, timeout: float = 30.0) -> httpx.Client:
    """An httpx client whose every connection obeys ``policy`` (rule (2) at connection time), never following
    redirects and ignoring proxy settings of the environment."""
    return httpx.Client(
        transport=_CheckedTransport(policy, ssl_context(verify)),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
