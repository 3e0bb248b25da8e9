"""Input ids are unique across every input list (and the scenarios); the error names the later use and
the earlier one, exactly as before the check got a fast path for documents without duplicates."""

from __future__ import annotations

import copy

import pytest

from footprint_engine.activity import parse_activity
from footprint_engine.errors import ActivityDataError
from footprint_engine.examples import load_example


def ingot() -> dict:
    return copy.deepcopy(load_example("aluminium-ingot-yunnan"))


def test_unique_ids_pass():
    assert parse_activity(ingot()).inputs.materials


def test_duplicate_across_lists_names_both_paths():
    doc = ingot()
    doc["inputs"]["fuels"][0]["id"] = doc["inputs"]["materials"][0]["id"]
    with pytest.raises(ActivityDataError) as info:
        parse_activity(doc)
    first = doc["inputs"]["materials"][0]["id"]
    assert info.value.field == "inputs.fuels[0].id"
    assert info.value.detail == f"inputs.fuels[0].id {first!r} is already used by inputs.materials[0]"


def test_first_duplicate_in_document_order_is_reported():
    doc = ingot()
    materials = doc["inputs"]["materials"]
    materials.append({**materials[0]})
    materials.append({**materials[1]})
    with pytest.raises(ActivityDataError) as info:
        parse_activity(doc)
    assert info.value.field == f"inputs.materials[{len(materials) - 2}].id"
