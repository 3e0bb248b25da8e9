"""Real uvicorn servers on loopback for the tests: the node over HTTPS (and plain HTTP), and a small
requester PACT host written from the spec that issues tokens and records the events it receives."""

from __future__ import annotations

import base64
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(
    app: Any, *, cert: str | None = None, key: str | None = None, port: int | None = None
) -> Iterator[str]:
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ssl_certfile=cert, ssl_keyfile=key
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"{'https' if cert else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


class RequesterHost:
    """A data recipient's PACT host: /auth/token (client credentials) and /3/events."""

    def __init__(self, *, fail_first: int = 0) -> None:
        self.client_id = "node-at-requester"
        self.client_secret = secrets.token_urlsafe(16)
        self.tokens: set[str] = set()
        self.events: list[dict[str, Any]] = []
        self.fail_first = fail_first
        self.attempts = 0
        self.app = FastAPI()
        self.app.post("/auth/token")(self.token)
        self.app.post("/3/events")(self.receive)
        self.app.post("/2/events")(self.receive)
        self.paths: list[str] = []  # the path each accepted event was posted to

    async def token(self, request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        body = (await request.body()).decode()
        if header != f"Basic {expected}" or "grant_type=client_credentials" not in body:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Authentication failed"}, 401
            )
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 3600})

    async def receive(self, request: Request) -> Response:
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return JSONResponse({"code": "InternalError", "message": "try later"}, 500)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return JSONResponse({"code": "BadRequest", "message": "invalid token"}, 400)
        self.events.append(await request.json())
        self.paths.append(request.url.path)
        return Response(status_code=200)

    def wait_events(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            assert time.monotonic() < deadline, f"got {len(self.events)} events, want {count}"
            time.sleep(0.05)
        return self.events
