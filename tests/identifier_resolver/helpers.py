"""Test helpers: a uvicorn server on a free loopback port in a thread, Basic-auth authorize, a sample store."""

from __future__ import annotations

import base64
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI, Request

from identifier_resolver import (
    AuthenticationRequiredError,
    HandleRecord,
    HandleValue,
    InMemoryHandleStore,
    Resolver,
    create_router,
    parse_handle,
)

OWNER_PREFIX = "88.1000.12345"
OTHER_PREFIX = "88.1000.67890"
# credentials: user -> (password, prefixes it manages)
USERS = {
    "300:88.1000.12345/ADMIN": ("s3cret", {OWNER_PREFIX}),
    "300:88.1000.67890/ADMIN": ("other", {OTHER_PREFIX}),
}


class ServerThread:
    """uvicorn serving ``app`` on 127.0.0.1:<free port> until ``stop()``."""

    def __init__(self, app: FastAPI) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def basic_authorize(request: Request, prefix: str) -> bool:
    """Handle-style Basic auth: ``300:<prefix>/ADMIN`` users may manage their own prefixes only."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        raise AuthenticationRequiredError("no Basic credentials")
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        user = user.replace("%3A", ":")  # pyhandle URL-quotes the ':' in "300:<prefix>/ADMIN"
    except ValueError as exc:
        raise AuthenticationRequiredError("malformed Basic credentials") from exc
    entry = USERS.get(user)
    if entry is None or entry[0] != password:
        raise AuthenticationRequiredError("unknown user or wrong password")
    return prefix.upper() in {p.upper() for p in entry[1]}


def sample_store() -> InMemoryHandleStore:
    store = InMemoryHandleStore([OWNER_PREFIX, OTHER_PREFIX])
    handle = parse_handle(f"{OWNER_PREFIX}/battery-pack-01")
    store.put(
        HandleRecord.build(
            handle,
            [
                HandleValue.string(1, "URL", "https://supplier.example.cn/products/battery-pack-01"),
                HandleValue.string(2, "NAME", "磷酸铁锂电池包 LFP battery pack 01"),
                HandleValue.string(3, "MANUFACTURER_USCC", "91350100M000100Y43"),
                HandleValue.string(4, "GTIN", "09506000134352"),
                HandleValue.string(5, "CN_CODE", "85076000"),
                HandleValue.string(6, "PCF_ID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
                HandleValue.string(7, "URL.pact", "https://node.example/3/footprints/3f2504e0", ttl=60),
            ],
        )
    )
    return store


def make_app(store: InMemoryHandleStore, resolver: Resolver, *, authorize=basic_authorize) -> FastAPI:
    app = FastAPI()
    app.include_router(create_router(store, resolver, authorize=authorize))
    return app
