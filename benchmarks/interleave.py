"""Compare a benchmark between two checkouts of the code, by the median of interleaved runs.

    .venv/bin/python benchmarks/interleave.py --old DIR --new DIR --runs 5 -- benchmarks/log_bench.py --append 20000

Runs the benchmark script (the command after ``--``, with this interpreter) alternately against the code in
``--old`` and ``--new`` (each run with ``PYTHONPATH`` set to that checkout, so its packages shadow the
installed ones, and with that checkout as the working directory: the script itself comes from each checkout),
``--runs`` times each, old first, then new, then old… so that drift in the machine's load falls on both
alike. Every figure a run prints — each number followed by a rate or time unit (``/s``, ``req/s``, ``ms``,
``MiB/s``), or a latency percentile ``p99=…``, on a line — is collected under that line's label (the text before the number with digits blanked),
and the medians are printed side by side with the change in percent (positive: new is faster; for ``ms``
figures lower is better and the sign is flipped). A git worktree of the old revision makes a handy ``--old``:
``git worktree add /tmp/old <rev>``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

FIGURE = re.compile(r"(?P<value>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>req/s|MiB/s|/s|ms)\b")
#: latency percentiles as wrk's script prints them (``p50=1.23 p99=4.56 … ms``), in milliseconds
PERCENTILE = re.compile(r"\b(?P<name>p\d{2})=(?P<value>\d+(?:\.\d+)?)")


def figures(output: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in output.splitlines():
        for i, match in enumerate(FIGURE.finditer(line)):
            label = re.sub(r"\d[\d,.]*", "#", line[: match.start()]).strip()
            if len(label) > 80:
                label = f"{label[:44]}…{label[-35:]}"
            key = f"{label} [{match['unit']} #{i}]"
            found.setdefault(key, float(match["value"].replace(",", "")))
        head = re.sub(r"\d[\d,.]*", "#", line.split("n=", 1)[0]).strip()
        for match in PERCENTILE.finditer(line):
            found.setdefault(f"{head} {match['name']} [ms]", float(match["value"]))
    return found


def run(checkout: Path, command: list[str]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, *command], cwd=checkout, env=env, capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise SystemExit(
            f"{checkout}: {' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return figures(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the benchmark after --")
    results: dict[str, dict[str, list[float]]] = {"old": defaultdict(list), "new": defaultdict(list)}
    for i in range(args.runs):
        for side, checkout in (("old", args.old), ("new", args.new)):
            for key, value in run(checkout.resolve(), command).items():
                results[side][key].append(value)
            print(f"run {i + 1}/{args.runs} {side} done", file=sys.stderr, flush=True)
    print(f"{' '.join(command)} — medians of {args.runs} interleaved runs (old {args.old}, new {args.new})")
    for key in results["old"]:
        old, new = results["old"][key], results["new"].get(key)
        if not new:
            continue
        m_old, m_new = statistics.median(old), statistics.median(new)
        change = (m_new - m_old) / m_old * 100 if m_old else 0.0
        if "[ms" in key:
            change = -change
        print(f"  {key:90s} old {m_old:>12,.2f}  new {m_new:>12,.2f}  {change:+6.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
