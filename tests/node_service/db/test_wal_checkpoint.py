"""SQLite: the primary node checkpoints the WAL in a background thread; commits no longer do it themselves."""

from __future__ import annotations

import time

from sqlalchemy import text

from node_service.db.engine import WAL_AUTOCHECKPOINT_PAGES
from node_service.log.append import make_entry


def test_the_background_checkpoint_empties_the_wal(make_node):
    node = make_node()
    assert node.checkpointer is not None
    with node.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == WAL_AUTOCHECKPOINT_PAGES
    # enough writes to have passed SQLite's default threshold (1,000 pages) several times over
    for batch in range(20):
        entries = [make_entry("evidence", f"e-{batch}-{i}", "00" * 32, "did:key:z") for i in range(2000)]
        with node.tlog.lock, node.db.transaction() as session:
            node.tlog.append(session, entries)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        busy, frames, done = node.checkpointer.checkpoint()
        if busy == 0 and frames == done:  # busy: the background thread was checkpointing just then
            break
        time.sleep(0.2)
    assert busy == 0 and frames == done, (busy, frames, done)
    with node.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM log_entries")).scalar_one() == 40_000


def test_postgres_node_has_no_checkpointer(make_node, postgres_url):
    assert make_node(postgres_url).checkpointer is None
