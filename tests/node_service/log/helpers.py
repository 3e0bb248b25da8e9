"""Shared by the tests of the database-backed log: entries to append (the ``db`` fixture is in tests/node_service/conftest.py)."""

from __future__ import annotations

import itertools

from node_service.db import Database
from node_service.log.append import TransparencyLog, make_entry

DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
_ids = itertools.count()


def entries(count: int, type_: str = "submission", sha256: str = "ab" * 32, **extra: object) -> list[dict]:
    """``count`` fresh log entries (unique ids) of one organisation."""
    return [make_entry(type_, f"urn:test:{next(_ids)}", sha256, DID, **extra) for _ in range(count)]


def append(db: Database, tlog: TransparencyLog, count: int) -> None:
    with tlog.lock, db.transaction() as session:
        tlog.append(session, entries(count))
