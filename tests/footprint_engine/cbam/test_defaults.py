"""Default-value table: bundled copy, loader for the full Commission table, parser limits."""

from __future__ import annotations

import pytest

from footprint_engine.cbam import (
    CbamInputError,
    DefaultValueNotFoundError,
    bundled_default_table,
    load_default_table,
)
from footprint_engine.cbam.defaults import parse_default_table
from footprint_engine.cbam.scope import DATA_DIR

HEADER = "kind,key,value,unit,note,source\n"


def test_bundled_table_matches_reference_rows():
    t = bundled_default_table()
    assert t.default_value("CN", "72083900", "C").direct == 3.187
    v = t.default_value("CN", "2523100090", "A")
    assert (v.direct, v.indirect) == (1.35, 0.04)
    assert "2025/2621" in v.source
    assert t.indirect_counts("cement") and t.indirect_counts("fertilisers")
    assert not t.indirect_counts("iron_and_steel") and not t.indirect_counts("aluminium")


def test_markup_schedule_and_fertiliser_exception():
    t = bundled_default_table()
    assert [t.markup("iron_and_steel", y) for y in (2025, 2026, 2027, 2028, 2035)] == [
        0.0,
        0.10,
        0.20,
        0.30,
        0.30,
    ]
    assert t.markup("fertilisers", 2027) == 0.01


def test_loader_reads_reference_shape(tmp_path):
    path = tmp_path / "full.csv"
    path.write_text(
        HEADER
        + 'default_direct,IN|7208|C,2.9,tCO2e/t,"hot-rolled, BF/BOF",Commission table\n'
        + "default_direct,CN|7601,6.5,tCO2e/t,,same\n",
        encoding="utf-8",
    )
    t = load_default_table(path)
    assert len(t) == 2
    assert t.default_value("IN", "72081000", "C").source == "Commission table"
    # Route-less line is used when no route-specific line exists; "same" repeats the previous source.
    assert t.default_value("CN", "76012000", "X").source == "Commission table"
    with pytest.raises(DefaultValueNotFoundError, match="load the Commission's full default-value table"):
        t.default_value("BR", "7208", None)


def test_reference_file_itself_loads():
    ref = DATA_DIR.parents[2].parent / "shared" / "reference" / "cbam.csv"
    if ref.exists():
        t = load_default_table(ref)
        assert t.default_value("CN", "2523100090", "A").direct == 1.35


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind,key,value\n", "header got"),
        (HEADER + "default_direct,CN|7208,abc,t,,s\n", "is not a number"),
        (HEADER + "default_direct,CN|7208,-1,t,,s\n", "negative"),
        (HEADER + "surprise,CN|7208,1,t,,s\n", "kind 'surprise' unknown"),
        (HEADER + "default_direct,CN|7208,1,t,,s,extra\n", "got 7 fields, want 6"),
        (HEADER + "default_direct,CN|7208,1,t,,s\ndefault_direct,CN|7208,2,t,,s\n", "duplicate"),
    ],
)
def test_parser_refuses_malformed_tables(text, message):
    with pytest.raises(CbamInputError, match=message):
        parse_default_table(text)


def test_a_communication_names_the_bundled_table_without_a_server_path():
    """The communication (JSON shown to importers and buyers) names the default-value table by its place in the
    package, not by the server's absolute path."""
    from pathlib import Path

    from footprint_engine.cbam import build_communication, bundled_default_table, render_communication
    from tests.footprint_engine.cbam.examples import steel_installation

    root = str(Path(__file__).resolve().parents[3])
    assert bundled_default_table().origin == "footprint_engine/data/cbam/default_values_cn.csv"
    rendered = render_communication(build_communication(steel_installation(), period=2026), "json")
    text = rendered.decode()
    assert "default_values_cn.csv" in text and root not in text
