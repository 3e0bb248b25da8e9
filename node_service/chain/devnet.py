"""An anvil devnet run as a subprocess of the node, with its state kept on disk.

The devnet binds a free loopback port, loads and periodically dumps its state (``--state``) so that anchors
survive a restart, and dies with the node (``PR_SET_PDEATHSIG``), even when the node is killed with SIGKILL.

A supervisor thread waits on anvil: when it exits without being asked to (killed, crashed), it is reaped and
started again on the same port from its state file, after a back-off that doubles from
``RESTART_BACKOFF_SECONDS[0]`` up to ``RESTART_BACKOFF_SECONDS[1]`` while restarts fail and starts over once anvil
has stayed up ``STABLE_SECONDS``; ``on_restart`` is then called (the node re-checks its contract there).
"""

from __future__ import annotations

import ctypes
import json
import logging
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from node_service.errors import StartupError

__all__ = ["Devnet", "free_loopback_port"]

_PR_SET_PDEATHSIG = 1
RESTART_BACKOFF_SECONDS = (0.5, 30.0)
STABLE_SECONDS = 60.0

log = logging.getLogger("tanlian.devnet")


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Devnet:
    """``with Devnet(anvil, state_dir) as rpc_url: ...`` — start anvil, wait until it answers, stop on exit."""

    def __init__(
        self,
        anvil: str | None,
        state_dir: Path | None = None,
        *,
        chain_id: int = 31337,
        state_interval_seconds: int = 1,
        start_timeout: float = 20.0,
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        self.anvil = anvil
        self.state_dir = state_dir
        self.chain_id = chain_id
        self.state_interval_seconds = state_interval_seconds
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.on_restart = on_restart
        self.restarts = 0
        self.last_exit: str | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    @property
    def rpc_url(self) -> str:
        if self.port is None:
            raise RuntimeError("devnet not started")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        if not self.anvil or not Path(self.anvil).exists():
            raise StartupError(
                f"anvil not found (looked for {self.anvil or 'node_modules/.bin/anvil and PATH'})",
                fix="run `make install` (installs the pinned @foundry-rs/anvil-linux-amd64) "
                "or set TANLIAN_CHAIN_RPC to an Ethereum JSON-RPC endpoint",
            )
        self.port = free_loopback_port()
        self._spawn()
        self._stopping.clear()
        self._supervisor = threading.Thread(target=self._supervise, name="tanlian-devnet", daemon=True)
        self._supervisor.start()
        return self.rpc_url

    def _spawn(self) -> None:
        """Start anvil on ``self.port`` (loading its state file) and wait until it answers."""
        assert self.anvil is not None and self.port is not None
        args = [
            self.anvil,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--silent",
        ]
        log_target = subprocess.DEVNULL
        if self.state_dir is not None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            args += ["--state", str(self.state_dir / "state.json")]
            args += ["--state-interval", str(self.state_interval_seconds)]
        self.process = subprocess.Popen(
            args, stdout=log_target, stderr=subprocess.PIPE, preexec_fn=_die_with_parent
        )
        self._wait_until_ready()

    def _supervise(self) -> None:
        """Reap anvil when it exits; unless the node is stopping, start it again with back-off."""
        delay = RESTART_BACKOFF_SECONDS[0]
        up_since = time.monotonic()
        while not self._stopping.is_set():
            proc = self.process
            if proc is None:
                return
            code = proc.wait()  # reaps it: no zombie
            if self._stopping.is_set():
                return
            self.last_exit = f"anvil exited with code {code}"
            if time.monotonic() - up_since >= STABLE_SECONDS:
                delay = RESTART_BACKOFF_SECONDS[0]
            while not self._stopping.is_set():
                log.warning("%s; restarting it in %.1f s", self.last_exit, delay)
                if self._stopping.wait(delay):
                    return
                try:
                    self._spawn()
                except StartupError as exc:
                    self.last_exit = f"restarting anvil failed: {exc.detail}"
                    delay = min(delay * 2, RESTART_BACKOFF_SECONDS[1])
                    continue
                break
            if self._stopping.is_set():
                return
            self.restarts += 1
            up_since = time.monotonic()
            delay = min(delay * 2, RESTART_BACKOFF_SECONDS[1])
            log.warning("anvil restarted on %s (restart %d)", self.rpc_url, self.restarts)
            if self.on_restart is not None:
                try:
                    self.on_restart()
                except Exception as exc:  # the node reports it on /readyz through the anchorer
                    log.warning("after restarting anvil: %s: %s", type(exc).__name__, exc)

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = (self.process.stderr.read() if self.process.stderr else b"").decode(errors="replace")
                raise StartupError(
                    f"anvil exited with code {self.process.returncode}: {err.strip()[:300]}",
                    fix="check the devnet state file in the data directory (move it away to start afresh)",
                )
            try:
                req = urllib.request.Request(  # noqa: S310 - loopback URL we built
                    self.rpc_url, data=body, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(req, timeout=1) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self._terminate(self.process)
        raise StartupError(
            f"anvil did not answer on {self.rpc_url} within {self.start_timeout:.0f} s",
            fix="check that loopback ports are free and the machine is not overloaded",
        )

    def stop(self) -> None:
        """Stop anvil gracefully (it dumps its state on SIGTERM), then hard after a grace period."""
        self._stopping.set()
        proc, self.process = self.process, None
        supervisor, self._supervisor = self._supervisor, None
        if proc is not None and proc.poll() is None:
            self._terminate(proc)
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(timeout=15)
        late, self.process = self.process, None  # spawned by the supervisor while we were stopping
        if late is not None and late.poll() is None:
            self._terminate(late)

    @staticmethod
    def _terminate(proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
