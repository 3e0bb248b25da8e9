"""Response headers that depend on how the request reached the node: Strict-Transport-Security (RFC 6797) on
every response served over HTTPS, none over plain HTTP (§7.2: a host must not send it over an insecure channel).

HTTPS is what the ASGI scope says: ``scheme`` is ``https`` when uvicorn terminates TLS itself, or when a proxy
listed in ``TANLIAN_TRUSTED_PROXIES`` forwarded ``X-Forwarded-Proto: https`` (uvicorn's proxy headers middleware
runs outside the app, see ``node_service.cli.serve_cmds.proxy_options``); from anyone else the header is ignored.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["StrictTransportSecurity"]


class StrictTransportSecurity:
    """ASGI middleware: ``Strict-Transport-Security: max-age=N`` on responses to HTTPS requests (N > 0)."""

    def __init__(self, app: ASGIApp, *, max_age_seconds: int) -> None:
        self.app = app
        self.header = (b"strict-transport-security", f"max-age={max_age_seconds}".encode())
        self.enabled = max_age_seconds > 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == self.header[0] for name, _ in headers):
                    headers.append(self.header)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_hsts)
