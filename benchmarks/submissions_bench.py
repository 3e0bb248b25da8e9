"""Signed activity-data submissions verified and stored per second (SQLite, the embedded node).

    .venv/bin/python benchmarks/submissions_bench.py [--count 400] [--full-count 60] [--threads 1] [--profile]
    .venv/bin/python benchmarks/submissions_bench.py --processes 2 [--count 2000]

Each submission is an ActivityDataCredential whose subject has 20 inputs (14 materials cited by IDIS handles
whose records the node serves, fuel, electricity with a GEC claim, 2 transport legs, process emissions),
signed beforehand (signing is the supplier's cost, not the node's). Two paths:

* "check + store": what the node does to accept a credential — VC structure, eddsa-jcs-2022 verification,
  activity-data validation, key and signature-time checks, resolution of the 16 cited identifiers, and the
  transaction that stores the submission and a footprint document and appends two RFC 9162 log entries.
  The footprint document is the engine's result for this activity computed ONCE beforehand (the engine's own
  speed is benchmarks/engine_bench.py); only its id changes per submission.
* "full path": submit_credential, i.e. the above with the footprint engine computing every footprint.

Target (issue 3): >= 500 submissions/s on SQLite on 2 cores. The anchorer is idle during the run (interval
1 h) so the figures are the submission path's own. ``--profile`` prints the top cProfile entries of the
"check + store" path.

With ``--processes N`` the "check + store" path runs in N processes at once, each a worker node (as the server
processes of ``tanlian serve --workers N`` are) over the same SQLite database, the parent keeping the devnet; the
rate is all submissions over the span from the first process's start to the last one's end.

Both wall time and process CPU time are reported, with the load average: on a machine shared with other
work, wall time measures the machine's load as much as the node; "/s cpu" is what one core of this process
achieves. With ``--threads N`` the CPU figure sums all threads (the GIL serialises most of the Python work).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import json
import multiprocessing
import os
import platform
import pstats
import re
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy import text as sql

from footprint_engine.examples import load_example
from identifier_resolver import HandleRecord, HandleValue, parse_handle
from node_service.cli.serve_cmds import worker_environment
from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from node_service.credentials.vc import build_credential
from node_service.db.models import Organisation
from node_service.runtime import Node
from node_service.services.evidence_files.files import store_upload
from node_service.services.evidence_files.upload import Upload
from node_service.services.footprints.documents import compute_footprint_document
from node_service.services.organisations.handles import DatabaseHandleStore
from node_service.services.organisations.registration import register_organisation
from node_service.services.submissions import (
    Accepted,
    check_submission,
    store_submission,
    submit_credential,
)
from node_service.settings import Settings

PREFIX = "88.118.8"
INPUTS = 20


def activity(org_did: str) -> dict[str, Any]:
    """The aluminium example with materials added until it has INPUTS inputs, all under PREFIX."""
    doc = load_example("aluminium-ingot-yunnan")
    del org_did  # the example reports under its USCC, which the bench organisation registers
    materials = doc["inputs"]["materials"]
    for m in materials:
        m["identifier"] = f"{PREFIX}/{m['id'].upper()}"
    count = sum(len(v) for v in doc["inputs"].values())
    template = materials[1]
    for i in range(INPUTS - count):
        extra = copy.deepcopy(template)
        extra["id"] = f"extra-{i}"
        extra["identifier"] = f"{PREFIX}/EXTRA-{i}"
        extra["amount"] = 10 + i
        materials.append(extra)
    assert sum(len(v) for v in doc["inputs"].values()) == INPUTS
    return doc


def start_node(data_dir: Path) -> Node:
    settings = Settings(data_dir=data_dir, anchor_interval_seconds=3600)
    return Node(settings).start()


def setup(node: Node) -> tuple[Ed25519PrivateKey, str, dict[str, Any]]:
    key = Ed25519PrivateKey.generate()
    did = did_key(key)
    subject = {
        "id": did,
        "name": {"en": "Bench smelter"},
        "roles": ["supplier"],
        "uscc": "91530100MA6K8Q2L5T",
        "idisPrefixes": [PREFIX],
    }
    reg = build_credential(subject, did, credential_type="OrganisationRegistration")
    register_organisation(node, eddsa_jcs_2022.sign(reg, key, verification_method_id(key)))
    doc = activity(did)
    upload_cited_evidence(node, did, doc)
    store = DatabaseHandleStore(lambda: node.db)
    cited = [doc["productIdentifier"], *(m["identifier"] for m in doc["inputs"]["materials"])]
    for text in cited:
        handle = parse_handle(text)
        store.put(HandleRecord.build(handle, [HandleValue.string(1, "NAME", text)]))
    return key, did, doc


def upload_cited_evidence(node: Node, did: str, doc: dict[str, Any]) -> None:
    """The node accepts only evidence CIDs the submitter uploaded: upload one small file for each CID the
    example cites (they are placeholders) and cite the uploaded file's CID instead."""
    text = json.dumps(doc)
    with node.db.transaction() as session:
        org = session.execute(select(Organisation).where(Organisation.did == did)).scalar_one()
        session.expunge(org)
    folder = Path(tempfile.mkdtemp(prefix="tanlian-subbench-evidence-"))
    for i, placeholder in enumerate(sorted(set(re.findall(r"bafkrei[a-z2-7]{52}", text)))):
        path = folder / f"meter-reading-{i}.csv"
        path.write_bytes(f"period,kWh\n2024-0{i + 1},{1000 + i}\n".encode())
        stored = store_upload(node, org, Upload(path, path.name, "text/csv", path.stat().st_size))
        text = text.replace(placeholder, stored.record.cid)
    doc.clear()
    doc.update(json.loads(text))


def signed(key: Ed25519PrivateKey, did: str, subject: dict[str, Any], n: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(n):
        s = copy.deepcopy(subject)  # same product and period: each one supersedes the previous
        cred = build_credential(s, did)
        out.append(eddsa_jcs_2022.sign(cred, key, verification_method_id(key)))
    return out


def _load() -> str:
    """The 1-minute load average: on a shared machine wall time depends on it, CPU time much less."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def run(label: str, work: list[dict[str, Any]], fn: Any, threads: int) -> float:
    chunks = [work[i::threads] for i in range(threads)]
    errors: list[BaseException] = []

    def worker(items: list[dict[str, Any]]) -> None:
        try:
            for item in items:
                result = fn(item)
                assert isinstance(result, Accepted) and result.created
        except BaseException as exc:  # reported below
            errors.append(exc)

    wall, cpu = time.perf_counter(), time.process_time()
    if threads == 1:
        worker(chunks[0])  # in this thread, so that --profile sees it
    else:
        pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if errors:
        raise errors[0]
    rate = len(work) / wall
    print(
        f"{label:<44} {rate:>8,.0f} /s wall  {len(work) / cpu:>8,.0f} /s cpu  "
        f"({len(work)} in {wall:.2f} s, {threads} thread(s), {1000 * wall / len(work):.2f} ms wall and "
        f"{1000 * cpu / len(work):.2f} ms cpu each; load average {_load()})"
    )
    return rate


def _check_and_store(node: Node, template: dict[str, Any], credential: dict[str, Any]) -> Accepted:
    checked = check_submission(node, credential)
    assert not isinstance(checked, Accepted)
    fid = str(uuid.uuid4())
    document = {**template, "id": fid, "submissionId": checked.credential_id}
    return store_submission(node, checked, fid, document)


def _process_main(
    env: dict[str, str],
    warm: list[dict[str, Any]],
    work: list[dict[str, Any]],
    template: dict[str, Any],
    barrier: Any,
    results: Any,
) -> None:
    """One worker process: a worker node, a warm-up, then its share of the work once all are ready."""
    os.environ.update(env)
    node = Node(Settings()).start()
    try:
        for credential in warm:
            _check_and_store(node, template, credential)
        barrier.wait()
        start, cpu = time.monotonic(), time.process_time()
        for credential in work:
            result = _check_and_store(node, template, credential)
            assert result.created
        results.put((start, time.monotonic(), time.process_time() - cpu, len(work)))
    except BaseException as exc:
        results.put(exc)
        raise
    finally:
        node.stop()


def run_processes(node: Node, processes: int, template: dict[str, Any], work: list[dict[str, Any]]) -> float:
    """The "check + store" path in ``processes`` worker-node processes over this node's database."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    env = worker_environment(node.settings, node)  # as `tanlian serve --workers N` gives its processes
    warm, rest = work[: 10 * processes], work[10 * processes :]
    pool = [
        ctx.Process(
            target=_process_main,
            args=(env, warm[i::processes], rest[i::processes], template, barrier, results),
        )
        for i in range(processes)
    ]
    for proc in pool:
        proc.start()
    outcomes = [results.get(timeout=600) for _ in pool]
    for proc in pool:
        proc.join()
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise failures[0]
    start = min(o[0] for o in outcomes)
    end = max(o[1] for o in outcomes)
    cpu = sum(o[2] for o in outcomes)
    count = sum(o[3] for o in outcomes)
    wall = end - start
    rate = count / wall
    print(
        f"{'check + store, ' + str(processes) + ' processes':<44} {rate:>8,.0f} /s wall  {count / cpu:>8,.0f} /s cpu  "
        f"({count} in {wall:.2f} s, {1000 * cpu / count:.2f} ms cpu each; load average {_load()})"
    )
    with node.db.transaction() as session:
        stored = session.execute(sql("SELECT count(*) FROM submissions")).scalar_one()
        size = session.execute(sql("SELECT tree_size FROM log_state WHERE id = 1")).scalar_one()
        leaves = session.execute(sql("SELECT count(*) FROM log_entries")).scalar_one()
    assert size == leaves, f"log size {size} but {leaves} entries"
    print(f"  stored submissions: {stored}; log: {size} entries, one per leaf index")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="submissions on the check + store path")
    parser.add_argument("--full-count", type=int, default=60, help="submissions on the full path")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--processes", type=int, default=0, help="run check + store in N worker processes")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cpu(s), SQLite, {INPUTS} inputs per submission"
    )
    with tempfile.TemporaryDirectory(prefix="tanlian-subbench-") as tmp:
        node = start_node(Path(tmp))
        try:
            key, did, subject = setup(node)
            # the engine's document for this activity, computed once (see the module docstring)
            first = check_submission(node, signed(key, did, subject, 1)[0])
            assert not isinstance(first, Accepted)
            template = compute_footprint_document(
                node, first.activity, footprint_id="x", submission_id="x", organisation=did
            )

            def check_and_store(credential: dict[str, Any]) -> Accepted:
                return _check_and_store(node, template, credential)

            if args.processes:
                run_processes(node, args.processes, template, signed(key, did, subject, args.count))
                return
            work = signed(key, did, subject, args.count + args.full_count)
            run("warm-up (check + store)", work[:20], check_and_store, 1)
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
            run(
                "check + store (verify, validate, resolve, log)",
                work[20 : args.count],
                check_and_store,
                args.threads,
            )
            if args.profile:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            run(
                "full path (with the footprint engine)",
                work[args.count :],
                lambda c: submit_credential(node, c),
                args.threads,
            )
        finally:
            node.stop()


if __name__ == "__main__":
    main()
