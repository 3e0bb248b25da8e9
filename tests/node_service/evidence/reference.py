"""Expected CIDs from the npm package ipfs-unixfs-importer (tests/js/unixfs_cid.mjs).

The node script is the "real IPFS implementation" of the issue's acceptance test:
js-ipfs-unixfs configured like Kubo's ``ipfs add --cid-version=1``.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "tests" / "js" / "unixfs_cid.mjs"
IMPORTER_PACKAGE = REPO / "node_modules" / "ipfs-unixfs-importer" / "package.json"


def reference_cids(
    paths: list[Path], *, chunk_size: int | None = None, max_children: int | None = None
) -> list[dict[str, object]]:
    """Run the JS importer once over ``paths``; one ``{"path", "cid", "dagSize"}`` per file."""
    node = shutil.which("node")
    if node is None or not IMPORTER_PACKAGE.is_file():
        raise AssertionError(
            "reference importer unavailable: need `node` on PATH and `npm ci` in the repository "
            "(node_modules/ipfs-unixfs-importer)"
        )
    args = [node, str(SCRIPT)]
    if chunk_size is not None:
        args.append(f"--chunk-size={chunk_size}")
    if max_children is not None:
        args.append(f"--max-children={max_children}")
    args += [str(path) for path in paths]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"reference importer failed: {done.stderr}"
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert [a["path"] for a in answers] == [str(p) for p in paths]
    return answers


def write_pseudo_random(path: Path, size: int, seed: int) -> Path:
    """Deterministic pseudo-random file content, written 1 MiB at a time."""
    rng = random.Random(seed)
    with open(path, "wb") as out:
        left = size
        while left:
            piece = min(left, 1 << 20)
            out.write(rng.randbytes(piece))
            left -= piece
    return path
