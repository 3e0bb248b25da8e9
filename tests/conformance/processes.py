"""Child processes of a conformance run: started in a session of their own, output to a log file, stopped
by their id (SIGTERM, then SIGKILL of the group they lead) — never by name."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

__all__ = ["ChildProcess", "ConformanceError", "http_ok", "tail"]


class ConformanceError(Exception):
    """A conformance run could not be carried out (as opposed to a conformance test failing)."""


def http_ok(url: str, verify: ssl.SSLContext | bool = True) -> bool:
    """Whether ``GET url`` answers 200 now."""
    try:
        return httpx.get(url, verify=verify, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file (empty when it does not exist)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class ChildProcess:
    """One started process; ``stop()`` ends it and whatever it started in its session."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.name = name
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it is true; fail with the log's tail if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ConformanceError(
                    f"{self.name} exited with status {self.proc.returncode} before it was ready — its log "
                    f"({self.log}):\n{tail(self.log)}"
                )
            if ready():
                return
            time.sleep(0.2)
        raise ConformanceError(
            f"{self.name} not ready after {timeout:.0f} s — its log ({self.log}):\n{tail(self.log)}"
        )

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the process group, SIGKILL to what is left after ``timeout``. The leader is reaped
        last: until then its id (the group's id) cannot be given to another process."""
        if self.proc.returncode is not None:  # already reaped by poll(): its group id may be reused
            return
        pid = self.proc.pid
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                break
            time.sleep(0.1)
        _signal_group(pid, signal.SIGKILL)
        self.proc.wait(10)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
