"""`tanlian serve` refuses to start with one line naming what failed and what to do."""

from __future__ import annotations

import os
import socket

import pytest

from tests.node_service.clirun import run


def _one_line_error(result):
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_port_taken(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        line = _one_line_error(run("serve", "--port", str(port), TANLIAN_DATA_DIR=str(tmp_path)))
    assert f"port {port}" in line and "--port" in line


def test_anvil_missing(tmp_path):
    line = _one_line_error(
        run(
            "serve",
            "--port",
            "0",
            TANLIAN_DATA_DIR=str(tmp_path),
            TANLIAN_ANVIL_PATH=str(tmp_path / "no-anvil"),
        )
    )
    assert "anvil not found" in line and "make install" in line


def test_database_unreachable(tmp_path):
    line = _one_line_error(
        run(
            "serve",
            "--port",
            "0",
            TANLIAN_DATA_DIR=str(tmp_path),
            TANLIAN_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none",
        )
    )
    assert "database unreachable" in line and "TANLIAN_DATABASE_URL" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; covered by the next test")
def test_data_dir_not_writable_as_user(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    line = _one_line_error(run("serve", "--port", "0", TANLIAN_DATA_DIR=str(locked / "data")))
    assert "not writable" in line


def test_data_dir_not_writable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    line = _one_line_error(run("serve", "--port", "0", TANLIAN_DATA_DIR=str(blocker / "data")))
    assert "not writable" in line and "TANLIAN_DATA_DIR" in line


def test_chain_unreachable(tmp_path):
    line = _one_line_error(
        run("serve", "--port", "0", TANLIAN_DATA_DIR=str(tmp_path), TANLIAN_CHAIN_RPC="http://127.0.0.1:1")
    )
    assert "JSON-RPC unreachable" in line and "TANLIAN_CHAIN_RPC" in line


def test_every_command_has_help():
    result = run("--help")
    assert result.returncode == 0
    commands = [
        line.split()[1]
        for line in result.stdout.splitlines()
        if line.startswith("│ ") and len(line.split()) > 1 and line.split()[1].isidentifier() is not None
    ]
    for command in ("serve", "demo", "receipt", "keys", "sign", "verify-credential", "evidence"):
        assert command in result.stdout
    for command in commands:
        if command in {"serve", "demo", "sign", "verify-credential"}:
            assert run(command, "--help").returncode == 0
