"""Fixtures shared by the whole suite: a throw-away PostgreSQL database and started nodes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pytest_configure(config: pytest.Config) -> None:
    """With TANLIAN_GOLDEN_DIR set, record every HTTP exchange (tests/golden/recorder.py)."""
    golden = os.environ.get("TANLIAN_GOLDEN_DIR")
    if golden:
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            "golden_recorder", Path(__file__).parent / "golden/recorder.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.install(Path(golden))


def _admin_url() -> str:
    return os.environ.get("TANLIAN_TEST_POSTGRES_URL", DEFAULT_PG)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the test PostgreSQL; skipped on a developer machine without one, fatal in CI."""
    url = _admin_url()
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable at {url} in CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {url}")
    return url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"tanlian_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def make_node(tmp_path: Path) -> Iterator[Callable[..., object]]:
    """Start nodes with the real devnet; every node started is stopped after the test."""
    from node_service.runtime import Node
    from node_service.settings import Settings

    started: list[Node] = []

    def factory(database_url: str | None = None, data_dir: Path | None = None, **overrides: object) -> Node:
        settings = Settings(
            data_dir=data_dir or tmp_path / "data",
            database_url=database_url,
            anchor_interval_seconds=overrides.pop("anchor_interval_seconds", 0.3),
            **overrides,  # type: ignore[arg-type]
        )
        node = Node(settings).start()
        started.append(node)
        return node

    yield factory
    for node in started:
        node.stop()
