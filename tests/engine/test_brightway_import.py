"""Brightway imported by several threads at once: each gets the whole module (the node's request threads, the
CLI's supply-chain runs). Each run is a fresh interpreter, since only the first import can race."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import threading
from footprint_engine._brightway import import_bw2calc

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
