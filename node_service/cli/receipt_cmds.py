"""``tanlian receipt get|verify``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import typer

from node_service.cli._common import fail, print_json
from node_service.verification import verify_receipt

__all__ = ["register"]

receipt_app = typer.Typer(help="Fetch and verify receipts of log entries.", no_args_is_help=True)


@receipt_app.command("get")
def get(
    entry_id: Annotated[str, typer.Argument(help="id of the logged object (footprint, submission, …)")],
    node: Annotated[str, typer.Option(help="node URL")] = "http://127.0.0.1:8000",
    token: Annotated[str | None, typer.Option(envvar="TANLIAN_API_TOKEN", help="API token")] = None,
    out: Annotated[Path | None, typer.Option(help="write the receipt here instead of stdout")] = None,
) -> None:
    """Fetch the receipt of ENTRY_ID from a node."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        resp = httpx.get(f"{node.rstrip('/')}/receipts/{entry_id}", headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        fail(f"cannot reach {node}: {exc}")
    if resp.status_code != 200:
        body = resp.json() if resp.headers.get("content-type", "").endswith("json") else {}
        fail(f"{resp.status_code} {body.get('detail', resp.text[:200])}")
    if out:
        out.write_text(json.dumps(resp.json(), indent=2) + "\n")
    else:
        print_json(resp.json())


@receipt_app.command("verify")
def verify(
    receipt: Annotated[Path, typer.Argument(help="receipt JSON file", exists=True, dir_okay=False)],
    rpc: Annotated[str | None, typer.Option(help="Ethereum JSON-RPC URL to check the anchored head")] = None,
    file: Annotated[
        Path | None, typer.Option(help="the evidence file or JSON document the entry stands for", exists=True)
    ] = None,
) -> None:
    """Verify RECEIPT: leaf hash, inclusion proof, and (with --rpc) the head on chain. Exit 0 only if all pass."""
    try:
        document = json.loads(receipt.read_text())
    except (OSError, ValueError) as exc:
        fail(f"{receipt} is not a readable JSON receipt: {exc}")
    report = verify_receipt(document, rpc_url=rpc, file=file)
    for check in report.checks:
        typer.echo(f"{'PASS' if check.ok else 'FAIL'}  {check.name:<14} {check.detail}")
    if rpc is None:
        typer.echo("note: offline checks only; pass --rpc URL to check the anchored head on chain")
    if not report.ok:
        failed = next(c for c in report.checks if not c.ok)
        fail(f"receipt does not verify: {failed.name}: {failed.detail}")
    typer.echo("receipt verified")


def register(app: typer.Typer) -> None:
    app.add_typer(receipt_app, name="receipt")
