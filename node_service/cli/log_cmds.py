"""``tanlian log audit``: walk every anchored head, check consistency proofs and the chain's record;
``tanlian log check-store``: check the node's stored tree against its entries."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from node_service.cli._common import fail

__all__ = ["register"]

SETTLE_ATTEMPTS = 5
SETTLE_SECONDS = 2.0

log_app = typer.Typer(
    help="Audit the transparency log against the chain, or its stored tree against its entries.",
    no_args_is_help=True,
)


@log_app.command("audit")
def audit(
    node: Annotated[
        str | None, typer.Option(help="node URL (reads GET /log/heads and /log/consistency)")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="the node's database (SQLAlchemy URL), read directly")
    ] = None,
    rpc: Annotated[
        str | None, typer.Option(help="Ethereum JSON-RPC URL (default: the devnet URL a --node reports)")
    ] = None,
) -> None:
    """Check every anchored head: consistency proofs between consecutive heads, treeHead views and
    TreeHeadAnchored events. Exit 0 when the log and the chain agree, 1 on any divergence."""
    from node_service.operator.log_audit import (
        HeadListing,
        audit_log,
        chain_only_ahead,
        heads_from_database,
        heads_from_node,
    )

    if (node is None) == (database_url is None):
        fail("give exactly one of --node URL or --database-url URL")

    def read_heads() -> HeadListing:
        nonlocal rpc
        try:
            if node is not None:
                import httpx

                if rpc is None:
                    rpc = httpx.get(f"{node.rstrip('/')}/chain", timeout=30).json().get("rpcUrl")
                    if rpc is None:
                        fail("the node reports no public RPC URL — pass --rpc URL of the chain it anchors on")
                return heads_from_node(node)
            assert database_url is not None
            if rpc is None:
                fail("--database-url needs --rpc URL (the chain id and the contract's record come from it)")
            from web3 import Web3

            chain_id = int(Web3(Web3.HTTPProvider(rpc)).eth.chain_id)
            return heads_from_database(database_url, chain_id)
        except typer.Exit:
            raise
        except Exception as exc:
            fail(f"cannot read the log's heads: {type(exc).__name__}: {exc}")

    listing = read_heads()
    report = audit_log(listing, rpc)
    # a head the anchorer is confirming right now is on chain before the node records it: when the chain is
    # only ahead of the log, read the log's heads again for a few seconds before calling it a divergence
    for _ in range(SETTLE_ATTEMPTS):
        if report.ok or not chain_only_ahead(report):
            break
        time.sleep(SETTLE_SECONDS)
        listing = read_heads()
        report = audit_log(listing, rpc)
    for check in report.checks:
        typer.echo(f"{'PASS' if check.ok else 'FAIL'}  {check.name:<12} {check.detail}")
    if not report.ok:
        failed = [c for c in report.checks if not c.ok]
        fail(f"divergence: {len(failed)} check(s) failed, first {failed[0].name}: {failed[0].detail}")
    typer.echo(
        f"log audit passed: {len(listing.heads)} heads on chain {listing.chain_id} at {listing.contract}"
    )


@log_app.command("check-store")
def check_store(
    database_url: Annotated[str, typer.Option("--database-url", help="the node's database (SQLAlchemy URL)")],
) -> None:
    """For the node's operator: check that every entry hashes to its leaf, every tree node is the hash of its
    children and every tile equals its nodes. Reads the whole log in chunks; exit 0 when all agree, 1 otherwise."""
    from node_service.db import create_database
    from node_service.operator.store_check import check_store as check

    try:
        db = create_database(database_url)
        try:
            report = check(db)
        finally:
            db.dispose()
    except Exception as exc:
        fail(f"cannot read the log from {database_url}: {type(exc).__name__}: {exc}")
    for item in report.checks:
        typer.echo(f"{'PASS' if item.ok else 'FAIL'}  {item.name:<8} {item.detail}")
    if not report.ok:
        fail(
            "the stored tree is damaged — restore the database from a backup; receipts from it may not verify"
        )
    typer.echo("the stored log is intact")


def register(app: typer.Typer) -> None:
    app.add_typer(log_app, name="log")
