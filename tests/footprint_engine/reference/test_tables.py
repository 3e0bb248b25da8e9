"""Reference tables: registry, typed rows, provenance and review flags, validity, versions bound to content."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from importlib import resources

import pytest

from footprint_engine.factors import FactorLibrary
from footprint_engine.reference import (
    Column,
    Provenance,
    ReferenceRow,
    ReferenceTable,
    ReferenceTableError,
    reference_table,
    reference_table_names,
    reference_tables,
)
from footprint_engine.reference.table import frozen, typed_values
from footprint_engine.reference.tables import resolve_same

NAMES = [
    "gbt2589-coefficients",
    "fuel-defaults-cn",
    "gwp100",
    "energy-limit-levels",
    "park-indicators-aii2021",
]


def test_registry_lists_every_table_with_a_recorded_version():
    assert reference_table_names() == NAMES
    tables = reference_tables()
    assert [t.name for t in tables] == NAMES
    for t in tables:
        # an edited file without a new entry in _EDITIONS would read as "unrecorded-…": record its version
        assert not t.version.startswith("unrecorded"), (t.name, t.sha256)
        assert len(t.sha256) == 64 and t.title_zh and t.title_en and t.rows
        for row in t.rows:
            assert row.provenance.source.strip()
            assert not row.provenance.review or row.provenance.review_note


def test_unknown_table_names_the_known_ones():
    with pytest.raises(ReferenceTableError, match="gbt2589-coefficients") as err:
        reference_table("benchmarks")
    assert err.value.field == "name"


def test_rows_are_typed_and_immutable():
    t = reference_table("gbt2589-coefficients")
    raw = t.where(energy="raw_coal")[0]
    assert raw["ncv"] == 20908.0 and type(raw["ncv"]) is float and raw["unit"] == "kg"
    assert t.where(energy="natural_gas_gasfield")[0]["ncv"] is None  # empty cell
    with pytest.raises(TypeError):
        raw.values["ncv"] = 1.0  # type: ignore[index]
    with pytest.raises(ReferenceTableError, match="unknown column"):
        t.where(fuel="raw_coal")


# -- GB/T 2589 ----------------------------------------------------------------------------------------------------


def test_gbt2589_is_a_view_of_the_file_the_factor_library_reads():
    t = reference_table("gbt2589-coefficients")
    assert len(t) == 14 and t.origin == "footprint_engine/data/energy_gbt2589.csv"
    library = FactorLibrary.builtin()
    for row in t.rows:
        coefficient = library.energy_coefficient(str(row["energy"]))
        assert coefficient is not None and coefficient.kgce_per_unit == row["kgce_per_unit"]
    assert {r.valid_from for r in t.rows} == {date(2021, 4, 1)}  # GB/T 2589-2020 in force
    review = Counter(r.provenance.review for r in t.rows)
    assert review == {True: 13, False: 1}  # every reproduced row says "check"; the kgce definition does not
    assert not t.where(energy="standard_coal")[0].provenance.review
    electricity = t.where(energy="electricity_equivalent")[0].provenance.source
    assert (
        electricity.startswith("GB/T 2589-2020 Annex A")
        and "equal-value factor changes yearly" in electricity
    )


# -- fuel defaults ---------------------------------------------------------------------------------------------


def test_fuel_defaults_are_carbon_content_times_ncv_times_oxidation():
    fuels = reference_table("fuel-defaults-cn")
    ncv = {r["energy"]: r["ncv"] for r in reference_table("gbt2589-coefficients").rows}
    assert len(fuels) == 9 and all(r.provenance.review for r in fuels.rows)
    for row in fuels.rows:
        energy = "natural_gas_oilfield" if row["fuel"] == "natural_gas" else row["fuel"]
        gj_per_unit = float(ncv[energy]) / 1000.0  # kJ/kg = GJ/t; kJ/m3 → GJ per 1000 m3
        formed = (
            float(row["carbon_content_tc_per_tj"])
            * float(row["oxidation_rate"])
            * 44
            / 12
            * gj_per_unit
            / 1000
        )
        assert math.isclose(formed, float(row["tco2_per_unit"]), rel_tol=1e-3), row["fuel"]


# -- GWP100 ---------------------------------------------------------------------------------------------------


def test_gwp100_resolves_same_references_and_flags_the_sf6_row():
    t = reference_table("gwp100")
    assert len(t) == 12
    co2, n2o = t.where(gas="CO2")[0], t.where(gas="N2O")[0]
    assert n2o.provenance.source == co2.provenance.source  # "same as CO2 row"
    assert (t.where(gas="CH4")[0]["ar6"], n2o["ar5"]) == (27.9, 265.0)
    flagged = [r["gas"] for r in t.rows if r.provenance.review]
    assert flagged == ["SF6"]
    assert "24300" in (t.where(gas="SF6")[0].provenance.review_note or "")


def test_resolve_same_rules():
    rows = [{"k": "a", "s": "Doc A"}, {"k": "b", "s": "same"}, {"k": "c", "s": "same (note)"},
            {"k": "d", "s": "Doc D"}, {"k": "e", "s": "same as a row"}]  # fmt: skip
    assert resolve_same(rows, "s", "k") == ["Doc A", "Doc A", "Doc A [note]", "Doc D", "Doc A"]
    with pytest.raises(ReferenceTableError, match="unresolved"):
        resolve_same([{"k": "a", "s": "same as z row"}], "s", "k")
    with pytest.raises(ReferenceTableError, match="unresolved"):
        resolve_same([{"k": "a", "s": "same"}], "s", "k")


# -- energy-consumption limit levels ----------------------------------------------------------------------------


def test_energy_limit_levels_all_need_review():
    t = reference_table("energy-limit-levels")
    assert len(t) == 165 and t.version == "2026-12"
    assert all(r.provenance.review and r.provenance.review_note for r in t.rows)
    drafts = [r for r in t.rows if "DRAFT" in r.provenance.source]
    assert len(drafts) == 16
    assert all("not_for_formal_evaluation" in (r.provenance.review_note or "") for r in drafts)
    transcribed = [r for r in t.rows if r.provenance.source.startswith("GB") and r not in drafts]
    assert all("requires_independent_review" in (r.provenance.review_note or "") for r in transcribed)
    assert all(r.provenance.verified_in and r.provenance.url for r in t.rows)


def test_energy_limit_levels_values_and_validity():
    t = reference_table("energy-limit-levels")
    clinker = t.where(product_zh="水泥熟料", indicator="熟料单位产品综合能耗")[0]
    assert (clinker["level1"], clinker["level2"], clinker["level3"]) == (100.0, 107.0, 117.0)
    assert clinker.provenance.year == 2021 and clinker.provenance.publisher.startswith("国家市场监督管理总局")
    aluminium = t.where(product_zh="电解铝（铝液）")[0]
    assert (aluminium["benchmark"], aluminium["baseline"], aluminium["level1"]) == (13000.0, 13350.0, None)
    assert aluminium.provenance.publisher == "国家发展和改革委员会 (NDRC)"
    in_2027 = [r for r in t.rows if r.valid_from == date(2027, 1, 1)]
    # GB 29447-2026 and GB 47835-2026: "effective 2027-01-01" stated on one row of each, held for all its rows
    assert len(in_2027) == 4
    assert {r.provenance.source.split("《")[0] for r in in_2027} == {"GB 29447-2026", "GB 47835-2026"}
    assert not in_2027[0].valid_on(date(2026, 12, 31)) and in_2027[0].valid_on(date(2027, 1, 1))
    assert sum(r.valid_from is not None for r in t.rows) == 4


# -- park indicators --------------------------------------------------------------------------------------------


def test_park_indicators_and_their_weights():
    t = reference_table("park-indicators-aii2021")
    assert len(t) == 69 and [r["no"] for r in t.rows] == list(range(1, 70))
    assert Counter(r["kind"] for r in t.rows) == {"value": 54, "yes-no": 15}
    level1 = {r["level1"]: r["level1_weight"] for r in t.rows}
    assert len(level1) == 5 and math.isclose(sum(map(float, level1.values())), 1.0)  # type: ignore[arg-type]
    level2: dict[object, dict[object, object]] = {}
    level3: Counter[object] = Counter()
    for r in t.rows:
        level2.setdefault(r["level1"], {})[r["level2_no"]] = r["level2_weight"]
        level3[r["level2_no"]] += float(r["weight"])  # type: ignore[arg-type]
    assert sum(len(v) for v in level2.values()) == 20
    assert all(math.isclose(sum(map(float, v.values())), 1.0) for v in level2.values())  # type: ignore[arg-type]
    assert all(math.isclose(w, 1.0) for w in level3.values())
    assert not any(r.provenance.review for r in t.rows)
    text = t.document("park_accounting_aii2021.md")
    assert "(9) S = Σ_i W_i" in text and "(3) E_park" in text
    with pytest.raises(ReferenceTableError, match="unknown document"):
        t.document("other.md")


def test_package_data_ships_with_the_package():
    files = {p.name for p in resources.files("footprint_engine.reference.data").iterdir()}
    assert {"benchmarks_cn.csv", "park_indicators_aii2021.csv", "park_accounting_aii2021.md"} <= files


# -- the table's own checks ------------------------------------------------------------------------------------


COLUMNS = (Column("name", "str", "名称", "Name"), Column("value", "float", "数值", "Value"))
PROVENANCE = Provenance(source="test", publisher=None, year=None)


def table(rows: list[ReferenceRow]) -> ReferenceTable:
    return ReferenceTable("t", "表", "Table", "1", COLUMNS, tuple(rows), origin="test", sha256="0" * 64)


def test_cells_are_converted_or_refused():
    assert typed_values({"name": " a ", "value": "1.5"}, COLUMNS, "x") == {"name": "a", "value": 1.5}
    assert typed_values({"name": "", "value": ""}, COLUMNS, "x") == {"name": None, "value": None}
    with pytest.raises(ReferenceTableError, match="not a number") as err:
        typed_values({"name": "a", "value": "1,5"}, COLUMNS, "file.csv:3")
    assert err.value.field == "file.csv:3"
    with pytest.raises(ReferenceTableError, match="not finite"):
        typed_values({"name": "a", "value": "nan"}, COLUMNS, "x")


def test_rows_must_fit_the_columns():
    table([ReferenceRow(frozen({"name": "a", "value": 1.0}), PROVENANCE)])
    with pytest.raises(ReferenceTableError, match="want \\['name', 'value'\\]"):
        table([ReferenceRow(frozen({"name": "a"}), PROVENANCE)])
    with pytest.raises(ReferenceTableError, match="wrong type"):
        table([ReferenceRow(frozen({"name": "a", "value": "1"}), PROVENANCE)])
    with pytest.raises(ReferenceTableError, match="valid_to"):
        table(
            [
                ReferenceRow(
                    frozen({"name": "a", "value": 1.0}), PROVENANCE, date(2022, 1, 1), date(2021, 1, 1)
                )
            ]
        )


def test_provenance_must_say_what_to_review():
    with pytest.raises(ReferenceTableError, match="say what to review"):
        Provenance(source="x", publisher=None, year=None, review=True)
    with pytest.raises(ReferenceTableError, match="name the document"):
        Provenance(source=" ", publisher=None, year=None)
