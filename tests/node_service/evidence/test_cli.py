"""`tanlian evidence cid FILE` prints only the CID."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from node_service.cli.evidence_cmds import register


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test root."""

    register(app)
    return app


def test_prints_only_the_cid(tmp_path: Path) -> None:
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello world")
    result = CliRunner().invoke(make_app(), ["evidence", "cid", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e\n"


def test_missing_file_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(make_app(), ["evidence", "cid", str(tmp_path / "nope")])
    assert result.exit_code != 0


def test_directory_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(make_app(), ["evidence", "cid", str(tmp_path)])
    assert result.exit_code != 0
