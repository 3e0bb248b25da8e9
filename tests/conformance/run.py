"""Run WBCSD's PACT conformance service (server mode) against a PACT host and report each test case.

Against a tanlian node started here over HTTPS and seeded (what CI does, through
tests/conformance/test_pact_conformance.py)::

    .venv/bin/python -m tests.conformance.run

Against your own deployment (the PACT client of an organisation that can read at least two footprints)::

    .venv/bin/python -m tests.conformance.run --base-url https://pact.example.com \\
        --client-id ID --client-secret SECRET [--public-url http://this-machine:8004 --port 8004] \\
        [--owner-token TOKEN] [--supplier-token TOKEN] [--version V3.0 --version V2.3] [--json out.json]

The callback cases (13 and 14.B) need your host to reach this machine at ``--public-url``; see docs/pact.md,
"Conformance". Exit status: 0 when every mandatory case passed (with ``--strict``: every case), 1 otherwise,
2 when the run could not be carried out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conformance.local_node import LocalNode, answer_requests, register_remote_host
from tests.conformance.processes import ConformanceError
from tests.conformance.results import VersionResult, parse_run
from tests.conformance.service import (
    CALLBACK_CLIENT_ID,
    CALLBACK_CLIENT_SECRET,
    DEFAULT_POSTGRES_ADMIN,
    ConformanceService,
    fresh_database,
    install,
)

__all__ = ["Report", "Target", "main", "run_local", "run_remote"]

VERSIONS = ("V3.0", "V2.3")


@dataclass(frozen=True)
class Target:
    """The PACT host under test and the PACT client the suite uses there."""

    base_url: str
    client_id: str
    client_secret: str
    organization_name: str = "tanlian"
    #: answers the requests a test run (its id given) sent (case 12), before the driver waits for callbacks
    answer: Callable[[str], object] | None = None


@dataclass
class Report:
    versions: list[VersionResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase

    def text(self) -> str:
        phases = ", ".join(f"{name} {secs:.1f} s" for name, secs in self.seconds.items())
        return "\n\n".join([*(v.report() for v in self.versions), f"time: {phases}"])


def default_postgres_admin() -> str:
    return os.environ.get("TANLIAN_TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN)


class _Clock:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.started = time.monotonic()
        self.last = self.started

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.report.seconds[name] = now - self.last
        self.last = now


def run_versions(
    service: ConformanceService,
    target: Target,
    versions: Sequence[str],
    *,
    callback_wait: float,
    clock: _Clock,
) -> None:
    """Each version once: ``POST /testruns`` (every case), answer the suite's request, then wait (at most
    ``callback_wait`` seconds) for the callback cases to leave PENDING."""
    for version in versions:
        run = service.start_run(
            {
                "baseUrl": target.base_url,
                "clientId": target.client_id,
                "clientSecret": target.client_secret,
                "version": version,
                "organizationName": target.organization_name,
                "adminEmail": "conformance@tanlian.invalid",
                "adminName": "tanlian conformance driver",
            }
        )
        if target.answer is not None:
            target.answer(run["testRunId"])
        run = service.wait_run(run["testRunId"], until=time.monotonic() + callback_wait)
        clock.report.versions.append(parse_run(version, run))
        clock.lap(version)


def run_local(
    versions: Sequence[str] = VERSIONS,
    *,
    workdir: Path,
    postgres_admin: str | None = None,
    callback_wait: float = 30.0,
) -> Report:
    """The suite against a tanlian node of this checkout, started and seeded in ``workdir``."""
    report = Report()
    clock = _Clock(report)
    installed = install()
    clock.lap("install")
    with (
        fresh_database(postgres_admin or default_postgres_admin()) as database,
        ConformanceService(installed, database, workdir) as service,
    ):
        clock.lap("service")
        with LocalNode(workdir, callback_url=service.public_url) as node:
            assert node.seeded is not None
            clock.lap("node")
            target = Target(
                node.base_url, node.seeded.client_id, node.seeded.client_secret, answer=node.answer_requests
            )
            run_versions(service, target, versions, callback_wait=callback_wait, clock=clock)
    return report


def run_remote(
    target: Target,
    versions: Sequence[str] = VERSIONS,
    *,
    workdir: Path,
    postgres_admin: str | None = None,
    callback_wait: float = 60.0,
    port: int | None = None,
    public_url: str | None = None,
    verify_tls: bool = True,
    owner_token: str | None = None,
    supplier_token: str | None = None,
) -> Report:
    """The suite against someone's PACT host. With ``owner_token`` (the API token of the organisation owning
    the PACT client, on a tanlian node) the service's ``public_url`` is registered as that organisation's
    remote host; with ``supplier_token`` the supplier fulfils the requests each test run sent (only those)."""
    report = Report()
    clock = _Clock(report)
    installed = install()
    clock.lap("install")
    with (
        fresh_database(postgres_admin or default_postgres_admin()) as database,
        ConformanceService(
            installed, database, workdir, port=port, public_url=public_url, verify_tls=verify_tls
        ) as service,
    ):
        clock.lap("service")
        with httpx.Client(base_url=target.base_url, verify=verify_tls, timeout=60) as http:
            if owner_token:
                register_remote_host(
                    http, owner_token, service.public_url, CALLBACK_CLIENT_ID, CALLBACK_CLIENT_SECRET
                )
            if supplier_token:
                target = Target(
                    target.base_url,
                    target.client_id,
                    target.client_secret,
                    target.organization_name,
                    answer=lambda run_id: answer_requests(http, supplier_token, run_id),
                )
            run_versions(service, target, versions, callback_wait=callback_wait, clock=clock)
    return report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.conformance.run",
        description="Run WBCSD's PACT conformance service against a PACT host (default: a tanlian node "
        "of this checkout, started and seeded here).",
    )
    parser.add_argument("--base-url", help="your PACT host (omit to start a local tanlian node)")
    parser.add_argument("--client-id", help="PACT client id at --base-url")
    parser.add_argument("--client-secret", help="PACT client secret at --base-url")
    parser.add_argument("--organization-name", default="tanlian", help="shown in the service's records")
    parser.add_argument(
        "--version", action="append", choices=VERSIONS, help="PACT version to test (repeat; default both)"
    )
    parser.add_argument("--postgres-admin", help="PostgreSQL URL to create the service's database from")
    parser.add_argument("--port", type=int, help="port of the conformance service (default: a free one)")
    parser.add_argument(
        "--public-url", help="URL at which your host reaches the service (its CONFORMANCE_API; callbacks)"
    )
    parser.add_argument(
        "--owner-token",
        help="tanlian API token of the client's organisation: registers the service as its remote host",
    )
    parser.add_argument(
        "--supplier-token", help="tanlian API token of the supplier: fulfils the suite's request"
    )
    parser.add_argument("--callback-wait", type=float, default=None, help="seconds to wait for callbacks")
    parser.add_argument("--insecure", action="store_true", help="accept any TLS certificate of --base-url")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an optional case fails too")
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, node data)")
    parser.add_argument(
        "--install-only", action="store_true", help="only bring the service's cached install up to date"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.install_only:
        try:
            print(f"PACT conformance service installed in {install().root}")
        except ConformanceError as exc:
            print(exc, file=sys.stderr)
            return 2
        return 0
    versions = args.version or list(VERSIONS)
    workdir = Path(tempfile.mkdtemp(prefix="tanlian-conformance-"))
    try:
        if args.base_url:
            if not (args.client_id and args.client_secret):
                print("--base-url needs --client-id and --client-secret", file=sys.stderr)
                return 2
            target = Target(
                args.base_url.rstrip("/"), args.client_id, args.client_secret, args.organization_name
            )
            report = run_remote(
                target,
                versions,
                workdir=workdir,
                postgres_admin=args.postgres_admin,
                callback_wait=args.callback_wait if args.callback_wait is not None else 60.0,
                port=args.port,
                public_url=args.public_url,
                verify_tls=not args.insecure,
                owner_token=args.owner_token,
                supplier_token=args.supplier_token,
            )
        else:
            report = run_local(
                versions,
                workdir=workdir,
                postgres_admin=args.postgres_admin,
                callback_wait=args.callback_wait if args.callback_wait is not None else 30.0,
            )
    except ConformanceError as exc:
        print(f"conformance run not carried out: {exc}\n(work directory kept: {workdir})", file=sys.stderr)
        return 2
    print(report.text())
    if args.json:
        args.json.write_text(json.dumps([v.to_json() for v in report.versions], indent=2) + "\n")
    failed = [c for v in report.versions for c in v.failed if c.mandatory or args.strict]
    if failed or args.keep:
        print(f"work directory (logs): {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
