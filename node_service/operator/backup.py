"""Back up a node's data and restore it into a fresh data directory (docs/operations.md).

A backup is a directory:
  ``devnet/state.json``   the anvil devnet's state (copied first, so the chain is never ahead of the database)
  ``tanlian.db``          SQLite, copied with SQLite's online backup API (a consistent snapshot while the node
                          writes), or ``database.pgdump``, ``pg_dump --format=custom`` of PostgreSQL
  ``evidence/``           the local evidence store (content-addressed files; copied after the database, so
                          every file the database names is there)
  ``keys/``               the node's keys (the chain account's among them), mode 0600
  ``manifest.json``       what was copied: each file's size and SHA-256, the migration heads, the time
Only what the node cannot rebuild is copied: Brightway's project directory is rebuilt at start.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from node_service.errors import NodeError
from node_service.settings import Settings

__all__ = ["BackupError", "BackupReport", "back_up", "restore"]

MANIFEST = "manifest.json"
FORMAT = "tanlian-backup/1"


class BackupError(NodeError):
    problem = "backup-failed"
    title = "Backup or restore failed"


@dataclass
class BackupReport:
    directory: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    database: str = ""

    def lines(self) -> list[str]:
        total = sum(int(f["size"]) for f in self.files.values())
        return [
            f"database: {self.database}",
            f"files: {len(self.files)} ({total} bytes)",
            f"backup: {self.directory}",
        ]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as pg_dump and pg_restore take it (no ``+driver``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            f"{what} failed (exit {done.returncode}): {done.stderr.strip()[:300]}",
            fix="check that the PostgreSQL client tools match the server's major version and the URL is right",
        )


def _copy_devnet_state(source: Path, target: Path) -> None:
    """anvil rewrites its state file every second: copy it until the copy is whole JSON."""
    for _ in range(20):
        shutil.copyfile(source, target)
        try:
            json.loads(target.read_bytes())
            return
        except ValueError:
            time.sleep(0.2)
    raise BackupError(f"{source} never read as whole JSON", fix="retry; anvil may be writing it")


def _copy_tree(source: Path, target: Path, *, mode: int | None = None) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            if mode is not None:
                dest.chmod(mode)


def _heads(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(
                str(v) for v in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    finally:
        engine.dispose()


def back_up(settings: Settings, out: Path) -> BackupReport:
    """Copy the node's database, evidence store, devnet state and keys into ``out`` (new or empty), while
    the node runs or not: (1) devnet state; (2) database; (3) evidence; (4) keys; (5) manifest."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty", fix="back up into a new directory")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)
    data = settings.resolved_data_dir
    url = settings.sqlalchemy_url
    report = BackupReport(out)
    # (1)
    state = settings.devnet_dir / "state.json"
    if settings.chain_rpc is None and state.is_file():
        (out / "devnet").mkdir()
        _copy_devnet_state(state, out / "devnet" / "state.json")
    # (2)
    if url.startswith("sqlite"):
        source = Path(make_url(url).database or "")
        if not source.is_file():
            raise BackupError(
                f"no database at {source}", fix="set TANLIAN_DATA_DIR to the node's data directory"
            )
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(out / "tanlian.db")
        try:
            src.backup(dst)  # SQLite's online backup API: one consistent snapshot
        finally:
            dst.close()
            src.close()
        report.database = f"SQLite {source} (online backup API)"
    else:
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(out / "database.pgdump"),
                _libpq_url(url),
            ],
            "pg_dump",
        )
        report.database = f"PostgreSQL {make_url(url).render_as_string(hide_password=True)} (pg_dump)"
    # (3)
    if settings.evidence_backend == "local" and settings.evidence_dir.is_dir():
        _copy_tree(settings.evidence_dir, out / "evidence")
    # (4)
    if settings.keys_dir.is_dir():
        _copy_tree(settings.keys_dir, out / "keys", mode=0o600)
    if settings.chain_private_key_file and settings.chain_private_key_file.is_file():
        (out / "keys").mkdir(exist_ok=True)
        shutil.copyfile(settings.chain_private_key_file, out / "keys" / "chain-account.key")
        (out / "keys" / "chain-account.key").chmod(0o600)
    # (5)
    for path in sorted(out.rglob("*")):
        if path.is_file():
            report.files[str(path.relative_to(out))] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    manifest = {
        "format": FORMAT,
        "createdAt": datetime.now(UTC).isoformat(),
        "dataDir": str(data),
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "migrationHeads": _heads(url),
        "files": report.files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return report


def restore(backup: Path, settings: Settings) -> BackupReport:
    """Restore ``backup`` into the (new or empty) data directory of ``settings`` and its database:
    (1) the manifest's files are all there and unchanged; (2) database; (3) evidence, devnet state, keys.
    The node migrates the database to its own version when it starts (docs/operations.md, upgrades)."""
    # (1)
    try:
        manifest = json.loads((backup / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(
            f"{backup} has no readable {MANIFEST}", fix="name a directory `tanlian backup` wrote"
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"unknown backup format {manifest.get('format')!r}, want {FORMAT}", fix="use a newer tanlian"
        )
    for name, meta in manifest["files"].items():
        path = backup / name
        if not path.is_file() or _sha256(path) != meta["sha256"]:
            raise BackupError(
                f"{name} is missing or changed since the backup", fix="use an intact copy of the backup"
            )
    data = settings.resolved_data_dir
    if data.exists() and any(p.name != "brightway" for p in data.iterdir()):
        raise BackupError(f"{data} is not empty", fix="restore into a new data directory")
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    report = BackupReport(data, files=manifest["files"])
    # (2)
    url = settings.sqlalchemy_url
    if manifest["database"] == "sqlite":
        if not url.startswith("sqlite"):
            raise BackupError(
                "the backup holds a SQLite database", fix="unset TANLIAN_DATABASE_URL to restore it"
            )
        target = Path(make_url(url).database or "")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup / "tanlian.db", target)
        target.chmod(0o600)
        report.database = f"SQLite {target}"
    else:
        if url.startswith("sqlite"):
            raise BackupError(
                "the backup holds a PostgreSQL dump", fix="set TANLIAN_DATABASE_URL to an empty database"
            )
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                _libpq_url(url),
                str(backup / "database.pgdump"),
            ],
            "pg_restore",
        )
        report.database = f"PostgreSQL {make_url(url).render_as_string(hide_password=True)}"
    # (3)
    for folder, mode in (("evidence", None), ("devnet", None), ("keys", 0o600)):
        if (backup / folder).is_dir():
            _copy_tree(backup / folder, data / folder, mode=mode)
    if (data / "keys").is_dir():
        os.chmod(data / "keys", 0o700)
    return report
