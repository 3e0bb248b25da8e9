"""Run the installed ``tanlian`` console script as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TANLIAN = shutil.which("tanlian", path=str(Path(sys.executable).parent)) or "tanlian"


def env(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TANLIAN_")}
    base.update(values)
    return base


def run(*args: str, timeout: float = 120, **env_values: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TANLIAN, *args], capture_output=True, text=True, timeout=timeout, env=env(**env_values), check=False
    )


def popen(*args: str, **env_values: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [TANLIAN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(**env_values)
    )


def serve(
    data_dir: Path, port: int, *args: str, timeout: float = 90, **env_values: str
) -> subprocess.Popen[str]:
    """``tanlian serve --port PORT [args]`` on ``data_dir`` (anchoring every 0.5 s), returned once /readyz is 200."""
    import time

    import httpx

    env_values.setdefault("TANLIAN_ANCHOR_INTERVAL_SECONDS", "0.5")
    proc = popen("serve", "--port", str(port), *args, TANLIAN_DATA_DIR=str(data_dir), **env_values)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"tanlian serve {' '.join(args)} did not become ready in {timeout:.0f} s")
