"""``tanlian check claims``: list stored rows that today's claim rules would refuse (for the node's operator)."""

from __future__ import annotations

from typing import Annotated

import typer

from node_service.cli._common import fail, print_json

__all__ = ["register"]

check_app = typer.Typer(help="Check stored data against the node's current rules (never rewrites it).")


@check_app.callback()
def _check() -> None:
    """Check stored data against the node's current rules (never rewrites it)."""


@check_app.command("claims")
def claims(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="the node's database (SQLAlchemy URL); default: TANLIAN_DATABASE_URL, else the data directory's",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the findings as a JSON array")] = False,
) -> None:
    """List footprints of products that belong to another organisation, citations that may have used someone
    else's footprint, and GEC claims that collide in canonical form or have none. Reads only; exit 0 when
    nothing is found, 1 when something is (each row named, with what the rule says)."""
    from node_service.db import create_database
    from node_service.services.claims_audit import check_claims
    from node_service.settings import Settings

    url = database_url or Settings().sqlalchemy_url
    try:
        db = create_database(url)
        try:
            findings = check_claims(db)
        finally:
            db.dispose()
    except Exception as exc:
        fail(f"cannot read the claims from {url}: {type(exc).__name__}: {exc}")
    if as_json:
        print_json([f.as_json() for f in findings])
    else:
        for f in findings:
            typer.echo(f"{f.kind:<22} {f.table}:{f.row}  {f.detail}")
    if findings:
        fail(
            f"{len(findings)} stored row(s) break today's claim rules — nothing was changed; settle them with the "
            "organisations named (docs/security.md, Claims that cannot be spoofed)"
        )
    if not as_json:
        typer.echo("no stored claim breaks today's rules")


def register(app: typer.Typer) -> None:
    app.add_typer(check_app, name="check")
