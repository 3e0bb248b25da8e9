"""``tanlian backup --out DIR`` and ``tanlian restore DIR``: the node's database, evidence store, devnet state
and keys (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from node_service.cli._common import fail
from node_service.errors import NodeError

__all__ = ["register"]


def backup(
    out: Annotated[Path, typer.Option("--out", help="a new (or empty) directory for the backup")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", envvar="TANLIAN_DATA_DIR", help="the node's data directory")
    ] = None,
) -> None:
    """Back up the node (running or not): the devnet state, the database (SQLite's online backup API, or
    pg_dump for TANLIAN_DATABASE_URL), the evidence store and the keys, with a manifest of SHA-256s."""
    from node_service.operator.backup import back_up
    from node_service.settings import Settings

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        report = back_up(settings, out)
    except NodeError as exc:
        fail(exc.message)
    for line in report.lines():
        typer.echo(line)


def restore(
    backup_dir: Annotated[Path, typer.Argument(help="a directory `tanlian backup` wrote", exists=True)],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", envvar="TANLIAN_DATA_DIR", help="a new data directory")
    ] = None,
) -> None:
    """Restore a backup into a new data directory (and the empty database TANLIAN_DATABASE_URL names, if
    set); then `tanlian serve` on it migrates the database to this version and keeps the anchor contract."""
    from node_service.operator.backup import restore as restore_backup
    from node_service.settings import Settings

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        report = restore_backup(backup_dir, settings)
    except NodeError as exc:
        fail(exc.message)
    typer.echo(f"restored {len(report.files)} files into {report.directory}; database: {report.database}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
