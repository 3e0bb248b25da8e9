"""Check (6) of a receipt: the entry's time against the block timestamp of the head that includes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from node_service.verification.receipt import CLOCK_TOLERANCE_SECONDS, time_check

ANCHORED = datetime(2026, 11, 21, 21, 23, 31, tzinfo=UTC)


def _check(late: timedelta) -> tuple[bool, str]:
    return time_check(ANCHORED + late, int(ANCHORED.timestamp()))


@pytest.mark.parametrize("early", [timedelta(0), timedelta(seconds=1), timedelta(days=30)])
def test_an_entry_logged_before_its_head_was_anchored_passes(early):
    ok, detail = _check(-early)
    assert ok and "tolerance" not in detail


def test_a_block_clock_behind_the_nodes_within_the_tolerance_passes_and_says_so():
    # what CI saw: anvil's block timestamp 1.8 s behind the node's clock on a busy machine
    ok, detail = _check(timedelta(seconds=1, microseconds=777_179))
    assert ok
    assert "1.8 s before the entry" in detail and f"{CLOCK_TOLERANCE_SECONDS} s clock tolerance" in detail


def test_an_entry_later_than_the_tolerance_fails_naming_by_how_much():
    ok, detail = _check(timedelta(seconds=CLOCK_TOLERANCE_SECONDS, milliseconds=1))
    assert not ok
    assert "15.0 s later, over the 15 s clock tolerance" in detail
    assert "2026-11-21T21:23:31+00:00" in detail


def test_a_head_not_on_chain_fails():
    ok, detail = time_check(ANCHORED, 0)
    assert not ok and "not anchored" in detail
