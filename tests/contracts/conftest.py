"""Chains for the contract tests: eth-tester (py-evm, in process) and anvil (node_modules/.bin/anvil)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import EthereumTesterProvider, Web3

REPO = Path(__file__).resolve().parents[2]
ANVIL = REPO / "node_modules" / ".bin" / "anvil"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    if not ANVIL.exists():
        pytest.skip(f"anvil not installed at {ANVIL} — run `npm ci`")
    port = _free_port()
    proc = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--host", "127.0.0.1", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 5}))
        deadline = time.monotonic() + 30
        while not w3.is_connected():
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"anvil exited with {proc.returncode}: {err}")
            if time.monotonic() > deadline:
                pytest.fail("anvil did not answer JSON-RPC within 30 s")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(params=["eth-tester", pytest.param("anvil", marks=pytest.mark.chain)])
def w3(request: pytest.FixtureRequest) -> Web3:
    if request.param == "eth-tester":
        return Web3(EthereumTesterProvider())
    url = request.getfixturevalue("anvil_url")
    return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
