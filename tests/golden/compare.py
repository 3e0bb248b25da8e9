"""Compare recorded HTTP exchanges of two runs of the old code (to learn the noise) with a run of the new code.

    python tests/golden/compare.py OLD_RUN_A OLD_RUN_B NEW_RUN [--renamed-since REV] [--corpus OUT.json.gz]

Each run is a directory of ``exchanges-*.jsonl`` written by recorder.py. Per test, consecutive exchanges with the
same method, URL and status are folded into one (polling until an entry is anchored repeats a 409 a varying
number of times). A test whose two old runs agree exactly is *stable*: the new run must give the same
exchanges. A test whose old runs differ is *noisy* (threads, timing): where both old runs have the same number of
exchanges, the JSON paths that differ between them are ignored and the rest must match; otherwise every
(method, URL, status) the new run produced must have occurred in an old run. Exit 0 when nothing differs, 1 with
a report otherwise. ``--corpus`` writes the stable exchanges (the golden corpus) for the record.
``--renamed-since REV`` maps the old runs' test ids to the new paths of test files git saw renamed since REV.

The corpus of the code before the architecture refactor is ``corpus-fa22216.json.gz`` beside this file; to
check a run against it: ``compare.py CORPUS CORPUS NEW_RUN --renamed-since fa22216``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

Exchange = dict[str, Any]


#: where the code was checked out, in runs recorded before recorder.py normalised it
_CHECKOUT = re.compile(
    r"(?:/[\w.-]+)+/(?=(?:footprint_engine|node_service|supplier_portal|identifier_resolver)/)"
)


def load(run: Path) -> dict[str, list[Exchange]]:
    """A run directory, or a corpus written by ``--corpus`` (then give it as both old runs)."""
    if run.is_file():
        with gzip.open(run, "rt", encoding="utf-8") as corpus:
            stored: dict[str, list[Exchange]] = json.load(corpus)
            return stored
    tests: dict[str, list[Exchange]] = defaultdict(list)
    for path in sorted(run.glob("exchanges-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(_CHECKOUT.sub("<repo>/", line))
            except ValueError:  # runs recorded before recorder.py wrote each forked process's own file
                print(f"skipped a damaged line in {path.name}", file=sys.stderr)
                continue
            tests[row.pop("test")].append(row)
    return {test: fold(rows) for test, rows in tests.items()}


def renames_since(rev: str) -> dict[str, str]:
    """Old path -> new path of every test file git sees renamed between ``rev`` and HEAD."""
    out = subprocess.run(
        ["git", "diff", "-M", "--name-status", rev, "HEAD", "--", "tests"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {parts[1]: parts[2] for line in out.splitlines() if (parts := line.split("\t"))[0].startswith("R")}


def renamed(run: dict[str, list[Exchange]], renames: dict[str, str]) -> dict[str, list[Exchange]]:
    out = {}
    for test, rows in run.items():
        path, sep, rest = test.partition("::")
        out[renames.get(path, path) + sep + rest] = rows
    return out


def key(row: Exchange) -> tuple[str, str, int]:
    return (row["method"], row["url"], row["status"])


def fold(rows: list[Exchange]) -> list[Exchange]:
    folded: list[Exchange] = []
    for row in rows:
        if folded and key(folded[-1]) == key(row):
            folded[-1] = row
        else:
            folded.append(row)
    return folded


def differing_paths(a: Any, b: Any, path: str = "") -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: set[str] = set()
        for k in a.keys() | b.keys():
            if k not in a or k not in b:
                out.add(f"{path}/{k}")
            else:
                out |= differing_paths(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = set()
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out |= differing_paths(x, y, f"{path}/{i}")
        return out
    return set() if a == b else {path}


def covered(path: str, noise: set[str]) -> bool:
    return any(path == n or path.startswith(n + "/") for n in noise)


def compare(
    a: dict[str, list[Exchange]], b: dict[str, list[Exchange]], new: dict[str, list[Exchange]]
) -> tuple[list[str], int, int]:
    problems: list[str] = []
    stable = noisy = 0
    for test in sorted(a.keys() & b.keys()):
        old_a, old_b = a[test], b[test]
        got = new.get(test)
        if got is None:
            problems.append(f"{test}: no exchanges in the new run (old: {len(old_a)})")
            continue
        if old_a == old_b:
            stable += 1
            if got != old_a:
                problems.append(first_difference(test, old_a, got))
            continue
        noisy += 1
        if len(old_a) == len(old_b) == len(got) and all(
            key(x) == key(y) for x, y in zip(old_a, old_b, strict=True)
        ):
            for i, (x, y, z) in enumerate(zip(old_a, old_b, got, strict=True)):
                noise = differing_paths(x, y)
                wrong = {p for p in differing_paths(x, z) if not covered(p, noise)}
                if wrong:
                    problems.append(
                        f"{test}: exchange {i} {' '.join(map(str, key(z)))} differs at {sorted(wrong)[:5]}"
                    )
                    break
        else:
            seen = {key(r) for r in old_a} | {key(r) for r in old_b}
            unseen = [key(r) for r in got if key(r) not in seen]
            if unseen:
                problems.append(f"{test}: exchanges never seen in the old runs: {unseen[:3]}")
    return problems, stable, noisy


def first_difference(test: str, old: list[Exchange], new: list[Exchange]) -> str:
    for i, (x, y) in enumerate(zip(old, new, strict=False)):
        if x != y:
            if key(x) != key(y):
                return f"{test}: exchange {i}: old {key(x)}, new {key(y)}"
            return f"{test}: exchange {i} {' '.join(map(str, key(y)))} differs at {sorted(differing_paths(x, y))[:5]}"
    return f"{test}: old made {len(old)} exchanges, new {len(new)}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("old_a", type=Path)
    parser.add_argument("old_b", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--corpus", type=Path, help="write the stable exchanges here (.json.gz)")
    parser.add_argument(
        "--renamed-since", metavar="REV", help="map old test ids through git's renames since REV"
    )
    args = parser.parse_args()
    a, b, new = load(args.old_a), load(args.old_b), load(args.new)
    if args.renamed_since:
        renames = renames_since(args.renamed_since)
        a, b = renamed(a, renames), renamed(b, renames)
    problems, stable, noisy = compare(a, b, new)
    exchanges = sum(len(a[t]) for t in a.keys() & b.keys())
    routes = {(r["method"], r["url"].split("?")[0]) for rows in a.values() for r in rows}
    print(
        f"tests with HTTP exchanges: {len(a.keys() & b.keys())} ({stable} stable, {noisy} noisy); "
        f"{exchanges} exchanges after folding; {len(routes)} distinct method+path"
    )
    if args.corpus:
        corpus = {t: a[t] for t in sorted(a.keys() & b.keys()) if a[t] == b[t]}
        with gzip.open(args.corpus, "wt", encoding="utf-8") as out:
            json.dump(corpus, out, ensure_ascii=False, sort_keys=True)
    for problem in problems:
        print("DIFF", problem)
    print(f"{len(problems)} tests differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
