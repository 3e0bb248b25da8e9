"""The ``tanlian`` command line. Every command has --help and exits non-zero with a one-line reason."""

from __future__ import annotations

from importlib import import_module

import typer

app = typer.Typer(
    name="tanlian",
    help="tanlian (碳链): a blockchain-anchored exchange for supply-chain product carbon footprints.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# One module per line; each exposes register(app). Order is the order of `tanlian --help`.
COMMAND_MODULES = (
    "node_service.cli.serve_cmds",
    "node_service.cli.demo_cmds",
    "node_service.cli.credentials_cmds",
    "node_service.cli.submit_cmds",
    "node_service.cli.resolve_cmds",
    "node_service.cli.footprint_cmds",
    "node_service.cli.factors_cmds",
    "node_service.cli.evidence_cmds",
    "node_service.cli.receipt_cmds",
    "node_service.cli.log_cmds",
    "node_service.cli.check_cmds",
    "node_service.cli.audit_cmds",
    "node_service.cli.cbam_cmds",
    "node_service.cli.pact_cmds",
    "node_service.cli.backup_cmds",
)

for name in COMMAND_MODULES:
    import_module(name).register(app)


if __name__ == "__main__":
    app()
