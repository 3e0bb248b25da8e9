"""``tanlian pact pull`` (fetch footprints from any PACT host) and ``tanlian tls self-signed``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from node_service.cli._common import fail, print_json

__all__ = ["register"]

pact_app = typer.Typer(help="PACT data exchange: pull footprints from a PACT host.", no_args_is_help=True)
tls_app = typer.Typer(help="TLS helpers for serving the node over HTTPS.", no_args_is_help=True)


@pact_app.command("pull")
def pull(
    source: Annotated[str, typer.Option("--from", help="base URL of the PACT host, e.g. https://host:8443")],
    client_id: Annotated[str, typer.Option("--client-id", help="OAuth2 client id at that host")],
    client_secret: Annotated[
        str, typer.Option("--client-secret", help="OAuth2 client secret", envvar="TANLIAN_PACT_CLIENT_SECRET")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="write the footprints here (JSON) instead of stdout")
    ] = None,
    product_id: Annotated[
        list[str] | None, typer.Option("--product-id", help="productId filter (repeatable)")
    ] = None,
    status: Annotated[str | None, typer.Option(help="Active or Deprecated")] = None,
    limit: Annotated[int, typer.Option(help="page size asked for", min=1)] = 100,
    ca_file: Annotated[
        Path | None, typer.Option("--ca-file", help="CA bundle for the host's certificate")
    ] = None,
    insecure: Annotated[
        bool, typer.Option(help="do not verify the TLS certificate (local testing only)")
    ] = False,
) -> None:
    """Fetch every footprint the host shares with you (following pagination) as a JSON document."""
    from node_service.services.pact.client import PactClient, PactClientError

    if not source.startswith(("https://", "http://")):
        fail(f"--from {source!r} is not an http(s) URL — give the host's base URL, e.g. https://host:8443")
    verify: bool | str = False if insecure else (str(ca_file) if ca_file else True)
    params: dict[str, object] = {"limit": limit}
    if product_id:
        params["productId"] = product_id
    if status:
        params["status"] = status
    try:
        with PactClient(source, verify=verify) as client:
            client.fetch_token(client_id, client_secret)
            footprints = list(client.list_footprints(params))
    except PactClientError as exc:
        # the host's own message too: the user chose the host (control characters removed)
        said = f" (the host says: {exc.remote_message})" if exc.remote_message else ""
        fail(f"pull from {source} failed: {exc}{said} — check the URL and the client credentials")
    except Exception as exc:  # network, TLS
        fail(f"pull from {source} failed: {type(exc).__name__}: {exc} — check the URL, TLS and network")
    document = {"source": source, "count": len(footprints), "data": footprints}
    if out is None:
        print_json(document)
    else:
        out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"{len(footprints)} footprints written to {out}", err=True)


@tls_app.command("self-signed")
def self_signed(
    out: Annotated[Path, typer.Option("--out", help="directory for cert.pem and key.pem")],
    host: Annotated[list[str] | None, typer.Option("--host", help="DNS name or IP (repeatable)")] = None,
    days: Annotated[int, typer.Option(min=1, max=3650)] = 365,
) -> None:
    """Make a self-signed certificate and key for `tanlian serve --tls-cert --tls-key` (local use only)."""
    from node_service.services.pact.tls import write_self_signed

    cert, key = write_self_signed(out, hosts=tuple(host or ("localhost", "127.0.0.1", "::1")), days=days)
    typer.echo(f"certificate: {cert}\nkey: {key}")


def register(app: typer.Typer) -> None:
    app.add_typer(pact_app, name="pact")
    app.add_typer(tls_app, name="tls")
