"""The ``tanlian`` command line. Every command has --help and exits non-zero with a one-line reason."""

from __future__ import annotations

import typer

from node_service.cli import (
    credentials_cmds,
    demo_cmds,
    evidence_cmds,
    receipt_cmds,
    resolve_cmds,
    serve_cmds,
)

app = typer.Typer(
    name="tanlian",
    help="tanlian (碳链): a blockchain-anchored exchange for supply-chain product carbon footprints.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (serve_cmds, demo_cmds, credentials_cmds, evidence_cmds, receipt_cmds, resolve_cmds):
    module.register(app)


if __name__ == "__main__":
    app()
