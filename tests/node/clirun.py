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
