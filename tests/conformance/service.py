"""WBCSD's PACT conformance service (wbcsd/pact-conformance-service, TypeScript, MIT): its cached install, and
one instance in server mode on a fresh PostgreSQL database.

Server mode (not the CLI) because only a server receives the tested host's RequestFulfilled and
RequestRejected events, which decide test cases 13 and 14.B. Its HTTP API: ``POST /testruns`` runs every
test case of a version and answers when they are done (the two callback cases still ``PENDING``),
``GET /testruns/{id}`` reads the results again once the events have arrived; ``POST /auth/token`` issues the
tokens the tested host needs to send them (client ``test_client_id`` / ``test_client_secret``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from node_service.chain.devnet import free_loopback_port
from tests.conformance.processes import ChildProcess, ConformanceError, http_ok

__all__ = [
    "CALLBACK_CLIENT_ID",
    "CALLBACK_CLIENT_SECRET",
    "TARBALL_SHA256",
    "ConformanceService",
    "Install",
    "fresh_database",
    "install",
    "missing_prerequisites",
]

#: the service at wbcsd/pact-conformance-service 839bfe8 (`git archive`), as kept in the team's shared folder
#: (../shared/peers/pact/ beside the checkout; on the team's machines /work/shared/peers/pact/)
TARBALL_NAME = "pact-conformance-service-839bfe8.tar.gz"
TARBALL_SHA256 = "04d0f8cf2d414f8ae670fcd62a38ff48ed94569fbb94cc82b54a7bbc2ce4a992"
_BESIDE_CHECKOUT = Path(__file__).resolve().parents[2].parent / "shared" / "peers" / "pact" / TARBALL_NAME
DEFAULT_TARBALL = (
    _BESIDE_CHECKOUT if _BESIDE_CHECKOUT.exists() else Path("/work/shared/peers/pact") / TARBALL_NAME
)
DEFAULT_CACHE = Path("~/.cache/tanlian/pact-conformance-839bfe8")
#: the client the service accepts at its /auth/token (src/services/event-handler.ts)
CALLBACK_CLIENT_ID = "test_client_id"
CALLBACK_CLIENT_SECRET = "test_client_secret"  # the service's fixed test credentials
DEFAULT_POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
#: a test run of one version makes ~40 requests with a 5 s timeout each (the service's TESTCASE_TIMEOUT)
RUN_TIMEOUT_SECONDS = 300


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Install:
    """A usable copy of the service: sources, ``node_modules`` and the compiled ``dist/``."""

    root: Path  # the unpacked pact-conformance-service/
    node: str  # the node executable

    @property
    def server_js(self) -> Path:
        return self.root / "dist" / "server.js"

    @property
    def migrate_js(self) -> Path:
        return self.root / "dist" / "data" / "migrate.js"


def tarball_path() -> Path:
    return Path(os.environ.get("TANLIAN_CONFORMANCE_TARBALL", str(DEFAULT_TARBALL))).expanduser()


def cache_path() -> Path:
    return Path(os.environ.get("TANLIAN_CONFORMANCE_CACHE", str(DEFAULT_CACHE))).expanduser()


def missing_tools() -> list[str]:
    """The executables a run needs that are not on PATH."""
    return [tool for tool in ("node", "npm") if shutil.which(tool) is None]


def missing_prerequisites(postgres_admin: str) -> list[str]:
    """What this machine lacks for a run: Node.js and npm, the tarball, a reachable PostgreSQL."""
    import psycopg

    missing = [f"{tool} not on PATH (install Node.js 18+ with npm)" for tool in missing_tools()]
    if not tarball_path().is_file():
        missing.append(f"no tarball at {tarball_path()} (set TANLIAN_CONFORMANCE_TARBALL)")
    try:
        with psycopg.connect(_libpq_url(postgres_admin), connect_timeout=5):
            pass
    except (psycopg.Error, ConformanceError) as exc:
        missing.append(f"PostgreSQL unreachable at {postgres_admin}: {str(exc).strip()}")
    return missing


def install(tarball: Path | None = None, cache: Path | None = None) -> Install:
    """The service's install in ``cache``, brought up to date with ``tarball``. Steps:

    (1) the tarball is the pinned one (SHA-256), unless TANLIAN_CONFORMANCE_TARBALL names another;
    (2) under an exclusive lock (CI runs on one machine may overlap), read the stamp of the last install;
    (3) sources unpacked again when the tarball changed (node_modules kept);
    (4) ``npm ci`` when node_modules is missing or package-lock.json's hash changed;
    (5) ``npm run build`` (tsc → dist/) when sources were unpacked or dist/ is missing;
    (6) the stamp written last, so an interrupted install is redone.
    """
    tarball = tarball or tarball_path()
    cache = cache or cache_path()
    if missing := missing_tools():
        raise ConformanceError(
            f"conformance service: {', '.join(missing)} not found on PATH — install Node.js 18+ with npm"
        )
    node = shutil.which("node")
    assert node is not None
    # (1)
    if not tarball.is_file():
        raise ConformanceError(
            f"conformance service: no tarball at {tarball} — set TANLIAN_CONFORMANCE_TARBALL to a copy of "
            f"{TARBALL_NAME}"
        )
    tarball_hash = _sha256(tarball)
    if "TANLIAN_CONFORMANCE_TARBALL" not in os.environ and tarball_hash != TARBALL_SHA256:
        raise ConformanceError(
            f"conformance service: {tarball} has SHA-256 {tarball_hash}, want {TARBALL_SHA256} — restore the "
            "pinned copy, or name another tarball with TANLIAN_CONFORMANCE_TARBALL"
        )
    cache.mkdir(parents=True, exist_ok=True)
    root = cache / "pact-conformance-service"
    stamp_file = cache / "installed.json"
    # (2)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            stamp = json.loads(stamp_file.read_text())
        except (OSError, ValueError):
            stamp = {}
        stamp_file.unlink(missing_ok=True)
        # (3)
        unpacked = False
        if stamp.get("tarball") != tarball_hash or not (root / "package-lock.json").is_file():
            _unpack(tarball, cache, root)
            unpacked = True
        # (4)
        lock_hash = _sha256(root / "package-lock.json")
        if stamp.get("lock") != lock_hash or not (root / "node_modules").is_dir():
            _npm(root, "ci", "--no-audit", "--no-fund", "--loglevel=error")
        # (5)
        built = Install(root, node)
        if unpacked or not built.server_js.is_file() or not built.migrate_js.is_file():
            _npm(root, "run", "build", "--silent")
        # (6)
        stamp_file.write_text(json.dumps({"tarball": tarball_hash, "lock": lock_hash}))
    return built


def _unpack(tarball: Path, cache: Path, root: Path) -> None:
    """Replace the sources in ``root`` with the tarball's, keeping an existing node_modules/."""
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        with tarfile.open(tarball) as archive:
            try:  # the "data" filter refuses absolute paths, paths leaving scratch and special files
                archive.extractall(scratch, filter="data")
            except tarfile.TarError as exc:
                raise ConformanceError(f"conformance service: cannot unpack {tarball}: {exc}") from exc
        fresh = Path(scratch) / "pact-conformance-service"
        if not (fresh / "package-lock.json").is_file():
            raise ConformanceError(f"conformance service: {tarball} holds no pact-conformance-service/")
        if (root / "node_modules").is_dir():
            (root / "node_modules").rename(fresh / "node_modules")
        if root.exists():
            shutil.rmtree(root)
        fresh.rename(root)


def _npm(root: Path, *args: str) -> None:
    result = subprocess.run(
        ["npm", *args], cwd=root, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise ConformanceError(
            f"conformance service: `npm {' '.join(args)}` in {root} exited {result.returncode}:\n"
            f"{(result.stdout + result.stderr)[-3000:]}"
        )


def _libpq_url(url: str, database: str | None = None) -> str:
    """A SQLAlchemy or libpq PostgreSQL URL as libpq (and node-postgres) read it, optionally another database."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise ConformanceError(f"conformance service: {url!r} is not a PostgreSQL URL")
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit(("postgresql", parts.netloc, path, parts.query, ""))


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its libpq URL), dropped afterwards."""
    import psycopg

    name = f"pact_conformance_{uuid.uuid4().hex[:12]}"
    admin = _libpq_url(admin_url)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise ConformanceError(
            f"conformance service: cannot create a database at {admin}: {exc} — start PostgreSQL, or give "
            "another admin URL (--postgres-admin / TANLIAN_TEST_POSTGRES_URL)"
        ) from exc
    try:
        yield _libpq_url(admin_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ConformanceService:
    """One server-mode instance: ``start()`` migrates its database and serves it on ``port`` (every interface:
    the service's Express app binds no address); ``public_url`` is where the tested host sends its events
    (the service's CONFORMANCE_API), by default its loopback URL."""

    def __init__(
        self,
        installed: Install,
        database_url: str,
        workdir: Path,
        *,
        port: int | None = None,
        public_url: str | None = None,
        verify_tls: bool = False,
    ) -> None:
        self.installed = installed
        self.port = port or free_loopback_port()
        self.local_url = f"http://127.0.0.1:{self.port}"
        self.public_url = (public_url or self.local_url).rstrip("/")
        self.workdir = workdir
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "NODE_ENV": "production",
            "PORT": str(self.port),
            "DB_CONNECTION_STRING": database_url,
            "CONFORMANCE_API": self.public_url,
            "JWT_SECRET": uuid.uuid4().hex,
            "LOG_OUTPUT": "console",
        }
        if not verify_tls:  # the tested host's certificate is self-signed
            self.env["NODE_TLS_REJECT_UNAUTHORIZED"] = "0"
        self.process: ChildProcess | None = None

    def start(self) -> ConformanceService:
        log = self.workdir / "conformance-service.log"
        migrate = subprocess.run(
            [self.installed.node, str(self.installed.migrate_js), "latest"],
            cwd=self.installed.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if migrate.returncode != 0:
            raise ConformanceError(
                f"conformance service: its migrations failed ({migrate.returncode}):\n"
                f"{(migrate.stdout + migrate.stderr)[-3000:]}"
            )
        self.process = ChildProcess(
            "conformance service",
            [self.installed.node, str(self.installed.server_js)],
            env=self.env,
            cwd=self.installed.root,
            log=log,
        )
        self.process.wait_until(lambda: http_ok(f"{self.local_url}/health-check"), timeout=60)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> ConformanceService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_run(self, params: dict[str, Any]) -> dict[str, Any]:
        """``POST /testruns``: every test case of ``params['version']``; the run with its results."""
        resp = httpx.post(f"{self.local_url}/testruns", json=params, timeout=RUN_TIMEOUT_SECONDS)
        if resp.status_code != 200:
            raise ConformanceError(
                f"conformance service: POST /testruns answered {resp.status_code}: {resp.text[:2000]}"
            )
        run: dict[str, Any] = resp.json()
        return run

    def get_run(self, run_id: str) -> dict[str, Any]:
        resp = httpx.get(f"{self.local_url}/testruns/{run_id}", timeout=30)
        if resp.status_code != 200:
            raise ConformanceError(
                f"conformance service: GET /testruns/{run_id} answered {resp.status_code}: {resp.text[:500]}"
            )
        run: dict[str, Any] = resp.json()
        return run

    def wait_run(self, run_id: str, *, until: float) -> dict[str, Any]:
        """The run once no result is PENDING any more, or as it is at the monotonic time ``until``."""
        while True:
            run = self.get_run(run_id)
            if all(r.get("status") != "PENDING" for r in run.get("results", [])) or time.monotonic() >= until:
                return run
            time.sleep(0.3)
