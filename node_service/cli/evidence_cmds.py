"""``tanlian evidence …``: evidence file commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from node_service.cli._common import fail
from node_service.evidence import EvidenceError, cid_of_file

__all__ = ["evidence_app", "register"]

evidence_app = typer.Typer(
    name="evidence",
    help="Evidence files, addressed by IPFS CIDv1 (as Kubo's `ipfs add --cid-version=1`).",
    no_args_is_help=True,
)


@evidence_app.command("cid")
def cid_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            file_okay=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="File to address.",
        ),
    ],
) -> None:
    """Print only the CIDv1 of FILE, the one `ipfs add --cid-version=1 FILE` prints."""
    try:
        result = cid_of_file(file, sha256=False)
    except (EvidenceError, OSError) as exc:
        fail(f"evidence cid: {file}: {exc}")
    typer.echo(result.cid)


def register(app: typer.Typer) -> None:
    """Add the ``evidence`` command group to the main ``tanlian`` app."""
    app.add_typer(evidence_app, name="evidence")
