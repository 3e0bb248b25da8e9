"""``tanlian audit package``: download a footprint's verification package and check it here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from node_service.cli._common import fail

__all__ = ["register"]

audit_app = typer.Typer(help="Auditors' tools: verification packages.", no_args_is_help=True)


@audit_app.command("package")
def package(
    footprint_id: Annotated[str, typer.Argument(help="id of the footprint")],
    node: Annotated[str, typer.Option(help="node URL")] = "http://127.0.0.1:8000",
    out: Annotated[Path, typer.Option(help="where to write the zip")] = Path("verification-package.zip"),
    token: Annotated[str | None, typer.Option(envvar="TANLIAN_API_TOKEN", help="API token")] = None,
    rpc: Annotated[
        str | None, typer.Option(help="Ethereum JSON-RPC URL (default: the devnet URL the node reports)")
    ] = None,
) -> None:
    """Download FOOTPRINT_ID's verification package to --out and re-run every check on it here.
    Exit 0 when all pass, 1 otherwise."""
    import httpx

    from node_service.verification.package import verify_package

    base = node.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.stream(
            "GET", f"{base}/footprints/{footprint_id}/verification-package", headers=headers, timeout=300
        ) as resp:
            if resp.status_code != 200:
                resp.read()
                detail = (
                    resp.json().get("detail") if "json" in resp.headers.get("content-type", "") else resp.text
                )
                fail(f"{resp.status_code} {detail}")
            with out.open("wb") as fh:
                for chunk in resp.iter_bytes(1024 * 1024):
                    fh.write(chunk)
        if rpc is None:
            rpc = httpx.get(f"{base}/chain", timeout=30).json().get("rpcUrl")
    except httpx.HTTPError as exc:
        fail(f"cannot reach {node}: {exc}")
    report = verify_package(out, rpc_url=rpc)
    for item, checks in report.results:
        for check in checks:
            typer.echo(
                f"{'PASS' if check.ok else 'FAIL'}  {item[:40]:<40} {check.name:<14} {check.detail[:120]}"
            )
    if rpc is None:
        typer.echo("note: offline checks only; pass --rpc URL to check the anchored heads on chain")
    if not report.ok:
        fail(f"the package of {footprint_id} does not verify (see FAIL lines; report.md in {out})")
    typer.echo(f"package written to {out}; every check passed")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
