"""Brightway imported by several threads at once: each gets the whole module (the node's request threads, the
CLI's supply-chain runs); and by several processes sharing one directory (the server processes of
``tanlian serve --workers N``): one at a time. Each run is a fresh interpreter, since only the first import can
race."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import threading
from footprint_engine.brightway import import_bw2calc

start = threading.Barrier(6)
got = []

def first_use():
    start.wait()
    got.append(hasattr(import_bw2calc(), "LCA"))

threads = [threading.Thread(target=first_use) for _ in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("complete" if got == [True] * 6 else f"partial modules: {got}")
"""


def test_threads_importing_brightway_at_once_all_get_the_complete_module(tmp_path):
    # before the import lock, a thread found a partly initialised bw2calc (no LCA) in about 2 runs of 5
    (tmp_path / "bw").mkdir()
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "BRIGHTWAY2_DIR": str(tmp_path / "bw")},
        )
        assert out.stdout.strip() == "complete", out.stdout + out.stderr


WAITER = """
import sys, time
from footprint_engine.brightway import import_bw2calc

print("importing", flush=True)
start = time.monotonic()
import_bw2calc(sys.argv[1])
print(f"imported after {time.monotonic() - start:.1f} s", flush=True)
"""


def test_processes_sharing_a_directory_set_it_up_one_at_a_time(tmp_path):
    # bw2data's first import creates its project with check-then-create steps that fail in one of two
    # processes doing them at once (FileExistsError); the import holds a flock on a file of the directory
    import fcntl

    from footprint_engine.brightway import LOCK_FILE

    directory = tmp_path / "bw"
    directory.mkdir()
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process is setting the directory up
    proc = subprocess.Popen(
        [sys.executable, "-c", WAITER, str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "BRIGHTWAY2_DIR"},
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "importing"
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=8)  # waits for the lock (an unhindered import takes 2-5 s here)
        assert not (directory / "projects.db").exists()
    finally:
        os.close(fd)  # the other process is done
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.startswith("imported after") and (directory / "projects.db").exists()
