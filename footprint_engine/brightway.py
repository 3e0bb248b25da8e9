"""Importing Brightway without touching the user's home directory.

``bw2calc`` imports ``bw2data``, which creates a Brightway project directory on import (by default
under the user's home) and logs to stdout. We point ``BRIGHTWAY2_DIR`` at a directory the caller
chooses (or a private temporary directory) before the first import, and keep its log off stdout so
that CLI JSON output stays clean. No bw2data database is ever written: the engine hands bw2calc
in-memory bw_processing datapackages.

Several processes may share one directory (the server processes of ``tanlian serve --workers N``), and
bw2data's first import there creates its project with check-then-create steps (``projects.db`` rows,
directories) that fail in one of two processes doing it at once (``FileExistsError``, seen about once in 25
under load). The import therefore holds an exclusive ``flock`` on a file in the directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType

__all__ = ["brightway_versions", "import_bw2calc"]

_ENV = "BRIGHTWAY2_DIR"
LOCK_FILE = ".tanlian-import.lock"
_IMPORT_LOCK = threading.Lock()
_bw2calc: ModuleType | None = None


def import_bw2calc(project_dir: str | Path | None = None) -> ModuleType:
    """Return the ``bw2calc`` module, importing it with ``BRIGHTWAY2_DIR`` set.

    ``project_dir`` applies only to the first import in a process (bw2data reads the variable once);
    when it is None and the variable is unset, a private temporary directory is used.
    """
    global _bw2calc
    if _bw2calc is not None:
        return _bw2calc
    # One thread imports: another thread would find a partly initialised ``bw2calc`` in sys.modules (no
    # ``LCA`` yet), and redirect_stdout swaps the process's sys.stdout for the time of the import.
    with _IMPORT_LOCK:
        if _bw2calc is None:
            if "bw2data" not in sys.modules:
                if project_dir is not None:
                    Path(project_dir).mkdir(parents=True, exist_ok=True)
                    os.environ[_ENV] = str(project_dir)
                elif not os.environ.get(_ENV):
                    os.environ[_ENV] = tempfile.mkdtemp(prefix="tanlian-brightway-")
            sink = io.StringIO()
            with _directory_lock(), contextlib.redirect_stdout(sink), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import bw2calc
            _bw2calc = bw2calc
    return _bw2calc


@contextlib.contextmanager
def _directory_lock() -> Iterator[None]:
    """Hold the Brightway directory's import lock, so that one process at a time sets its project up."""
    directory = os.environ.get(_ENV)
    if not directory or not Path(directory).is_dir():
        yield  # bw2data will refuse the directory itself, with its own message
        return
    fd = os.open(Path(directory) / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@cache
def brightway_versions() -> dict[str, str]:
    import bw_processing
    import numpy
    import scipy

    bc = import_bw2calc()
    return {
        "bw2calc": str(
            bc.__version__ if isinstance(bc.__version__, str) else ".".join(map(str, bc.__version__))
        ),
        "bw_processing": str(bw_processing.__version__),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }
