"""How many threads serve PACT reads by default: the event loop alone unless one process serves PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from node_service.api.pact.state import POSTGRES_READER_THREADS, reader_threads
from node_service.services.pact.settings import PactSettings


def _node(sqlite: bool, worker: bool) -> SimpleNamespace:
    return SimpleNamespace(db=SimpleNamespace(is_sqlite=sqlite), is_worker=worker)


@pytest.mark.parametrize(
    ("sqlite", "worker", "expected"),
    [(True, False, 0), (True, True, 0), (False, True, 0), (False, False, POSTGRES_READER_THREADS)],
)
def test_default_reader_threads(sqlite: bool, worker: bool, expected: int) -> None:
    assert reader_threads(PactSettings(), _node(sqlite, worker)) == expected  # type: ignore[arg-type]


def test_configured_reader_threads_win() -> None:
    assert reader_threads(PactSettings(reader_threads=3), _node(False, True)) == 3  # type: ignore[arg-type]
