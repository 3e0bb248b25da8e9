"""``tanlian serve``: run the node (embedded defaults: SQLite, local evidence store, anvil devnet)."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from node_service.cli._common import fail
from node_service.errors import NodeError
from node_service.settings import Settings

if TYPE_CHECKING:
    from node_service.runtime import Node

__all__ = ["register"]


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def serve(
    host: Annotated[str | None, typer.Option(help="address to bind (TANLIAN_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port to bind (TANLIAN_PORT)")] = None,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="PEM certificate: serve HTTPS")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="server processes (TANLIAN_WORKERS); this process keeps the devnet and the anchorer",
        ),
    ] = None,
) -> None:
    """Serve the node's HTTP API until interrupted.

    With ``--workers N`` (N > 1) this process starts the node (migrations, devnet, contract, anchorer) and
    N server processes share the port; each opens the same database and chain as a worker node.
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        fail(_settings_errors(exc))
    import uvicorn

    from node_service.app import create_app
    from node_service.runtime import Node

    host = host or settings.host
    port = port if port is not None else settings.port
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if (tls_cert is None) != (tls_key is None):
        fail("--tls-cert and --tls-key go together — give both, or neither for plain HTTP")
    for given in (tls_cert, tls_key):
        if given is not None and not given.is_file():
            fail(f"{given} is not a readable file — make a pair with `tanlian tls self-signed --out DIR`")
    if not _port_free(host, port):
        fail(f"port {port} on {host} is taken — stop the other process or pass --port / set TANLIAN_PORT")
    try:
        node = Node(settings).start()
    except NodeError as exc:
        fail(exc.diagnostics())
    processes = workers if workers is not None else settings.workers
    scheme = "https" if tls_cert else "http"
    typer.echo(
        f"tanlian node on {scheme}://{host}:{port}  data: {settings.resolved_data_dir}  "
        f"chain {node.deployment.chain_id} contract {node.deployment.contract_address}"
        + (f"  {processes} server processes" if processes > 1 else "")
    )
    typer.echo(
        _where(
            f"{scheme}://{_display_host(host)}:{port}",
            https=tls_cert is not None,
            proxies=settings.trusted_proxy_list,
        )
    )
    run_options: dict[str, object] = {
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        "ssl_certfile": str(tls_cert) if tls_cert else None,
        "ssl_keyfile": str(tls_key) if tls_key else None,
        **proxy_options(settings),
    }
    try:
        if processes > 1:  # uvicorn's supervisor imports the app in each server process
            os.environ.update(worker_environment(settings, node))
            uvicorn.run("node_service.app:create_worker_app", factory=True, workers=processes, **run_options)  # type: ignore[arg-type]
        else:
            uvicorn.run(create_app(node=node), **run_options)  # type: ignore[arg-type]
    finally:
        node.stop()


def proxy_options(settings: Settings) -> dict[str, object]:
    """uvicorn's options for reverse proxies: X-Forwarded-Proto and X-Forwarded-For are believed from the peers
    of TANLIAN_TRUSTED_PROXIES only (uvicorn's ProxyHeadersMiddleware, wrapped around the whole app, the PACT fast
    path included); with none configured the middleware is left out, so that, unlike uvicorn's default, not even
    loopback is believed."""
    trusted = settings.trusted_proxy_list
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def _settings_errors(exc: ValidationError) -> str:
    """One line per invalid setting, named by its environment variable."""
    return "; ".join(
        f"TANLIAN_{'_'.join(str(part) for part in error['loc']).upper()}: "
        + error["msg"].removeprefix("Value error, ")
        for error in exc.errors()
    )


def _display_host(host: str) -> str:
    """The host to print in URLs: a wildcard address is reached through loopback."""
    return {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)  # noqa: S104


def _where(base: str, *, https: bool, proxies: list[str] | None = None) -> str:
    """Where a person finds the portal, the API documentation and the PACT endpoints."""
    from importlib.metadata import entry_points

    from node_service.app import PLUGIN_GROUP
    from node_service.services.pact.settings import PactSettings

    lines = []
    if any(plugin.name == "portal" for plugin in entry_points(group=PLUGIN_GROUP)):
        lines.append(f"  portal 门户         {base}/portal/")
    lines.append(f"  API docs 接口文档   {base}/docs   (OpenAPI: {base}/openapi.json)")
    pact = f"  PACT v3 / v2.3     {base}/3/footprints  {base}/2/footprints  (token: POST {base}/auth/token)"
    if not https and not PactSettings().allow_http:
        pact += "\n                     PACT answers HTTPS only: " + (
            f"buyers come through the TLS proxies at {', '.join(proxies)} (TANLIAN_TRUSTED_PROXIES)"
            if proxies
            else "serve with --tls-cert/--tls-key, or behind a TLS proxy named in TANLIAN_TRUSTED_PROXIES "
            "(docs/pact.md: Serving PACT over HTTPS)"
        )
    lines.append(pact)
    return "\n".join(lines)


def worker_environment(settings: Settings, node: Node) -> dict[str, str]:
    """What a worker process needs to open this node's database, data directory and chain."""
    return {
        "TANLIAN_NODE_ROLE": "worker",
        "TANLIAN_DATA_DIR": str(settings.resolved_data_dir),
        "TANLIAN_DATABASE_URL": settings.sqlalchemy_url,
        "TANLIAN_CHAIN_RPC": node.chain.rpc_url,
        "TANLIAN_CHAIN_RPC_IS_LOCAL_DEVNET": "true" if node.devnet is not None else "false",
    }


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
