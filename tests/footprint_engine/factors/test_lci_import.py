"""A licensed background database imported through bw2io (ecospold2, SimaPro CSV, Brightway Excel), offline, and
used in a footprint.

The fixture (fixtures/lci/build_fixtures.py) is one small system in three formats; the expected factors below are
worked out by hand from its exchanges, per one unit of each reference product.
"""

from __future__ import annotations

import socket
import zipfile
from pathlib import Path

import openpyxl
import pytest

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import calculate
from footprint_engine.errors import FactorLibraryError
from footprint_engine.factors import FactorLibrary, lci
from footprint_engine.factors.lci import LciImport, flow_key_of, import_lci
from footprint_engine.factors.lci import source as lci_source
from footprint_engine.factors.lci.result import slug
from tests.footprint_engine.factors.fixtures.lci import build_fixtures as build

FIXTURES = Path(__file__).parent / "fixtures" / "lci"
SOURCES = {
    "brightway-excel": FIXTURES / "aluminium.xlsx",
    "ecospold2": FIXTURES / "ecospold2",
    "simapro-csv": FIXTURES / "aluminium-simapro.csv",
}
OWNER = "91530100MA6K8Q2L5T"


# -- the hand calculation (kg of gas per one unit of reference product) ----------------------------------------
# electricity, medium voltage, per kWh: its own emissions only
ELECTRICITY = {"CO2/fossil": 0.8, "CH4/fossil": 0.002, "N2O/fossil": 1e-5, "SF6/fossil": 1e-7}
# alumina, per kg: 0.3 kWh electricity + direct CO2 0.6, CH4 1e-4
ALUMINA = {
    "CO2/fossil": 0.6 + 0.3 * 0.8,  # 0.84
    "CH4/fossil": 1e-4 + 0.3 * 0.002,  # 0.0007
    "N2O/fossil": 0.3 * 1e-5,
    "SF6/fossil": 0.3 * 1e-7,
}
# wood pallet, per unit: 2 kWh electricity + 20 kg CO2 taken up, 1 kg biogenic CO2, 0.01 kg biogenic CH4
PALLET = {
    "CO2/fossil": 2 * 0.8,
    "CH4/fossil": 2 * 0.002,
    "N2O/fossil": 2 * 1e-5,
    "SF6/fossil": 2 * 1e-7,
    "CO2/biogenic-removal": 20.0,
    "CO2/biogenic": 1.0,
    "CH4/biogenic": 0.01,
}
# aluminium ingot, per kg: 1.9 kg alumina + 15 kWh electricity + 0.01 pallet + direct CO2 1.5, CF4 4e-5, C2F6 4e-6
INGOT = {
    "CO2/fossil": 1.9 * 0.84 + 15 * 0.8 + 0.01 * 1.6 + 1.5,  # 1.596 + 12 + 0.016 + 1.5 = 15.112
    "CH4/fossil": 1.9 * 0.0007 + 15 * 0.002 + 0.01 * 0.004,  # 0.00133 + 0.03 + 0.00004 = 0.03137
    "N2O/fossil": 1.9 * 3e-6 + 15 * 1e-5 + 0.01 * 2e-5,
    "SF6/fossil": 1.9 * 3e-8 + 15 * 1e-7 + 0.01 * 2e-7,
    "CO2/biogenic-removal": 0.01 * 20.0,
    "CO2/biogenic": 0.01 * 1.0,
    "CH4/biogenic": 0.01 * 0.01,
    "CF4/fossil": 4e-5,
    "C2F6/fossil": 4e-6,
}
# IPCC AR6 GWP100 (footprint_engine/data/gwp100.csv): the ingot's kgCO2e per kg
INGOT_AR6 = (
    15.112 * 1
    + 0.03137 * 29.8  # fossil CH4
    + INGOT["N2O/fossil"] * 273
    + INGOT["SF6/fossil"] * 25200
    + 0.2 * -1  # CO2 taken up by the pallet's wood
    + 0.01 * 1
    + 0.0001 * 27.0  # non-fossil CH4
    + 4e-5 * 7380  # CF4
    + 4e-6 * 12400  # C2F6
)
EXPECTED = {"electricity": ELECTRICITY, "alumina": ALUMINA, "pallet": PALLET, "ingot": INGOT}
#: how each format names the activities (SimaPro's names are split at "{GEO}" into product and location)
NAMES = {
    "brightway-excel": {
        "electricity": "electricity, medium voltage",
        "alumina": "alumina production",
        "pallet": "wood pallet production",
        "ingot": "aluminium ingot, primary",
    },
    "simapro-csv": {
        "electricity": "electricity, medium voltage",
        "alumina": "alumina",
        "pallet": "wood pallet",
        "ingot": "aluminium ingot, primary",
    },
}
NAMES["ecospold2"] = NAMES["brightway-excel"]
UNITS = {"electricity": "kWh", "alumina": "kg", "pallet": "piece", "ingot": "kg"}
GEOGRAPHY = {"electricity": "CN", "alumina": "CN", "pallet": "GLO", "ingot": "CN-YN"}


@pytest.fixture(scope="module")
def imported() -> dict[str, LciImport]:
    """Each format imported once, with every network connection refused (bw2io must not download anything)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during an LCI import: {args}")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket, "create_connection", refuse)
        return {fmt: import_lci(path, fmt, owner=OWNER) for fmt, path in SOURCES.items()}


def by_activity(result: LciImport, fmt: str) -> dict[str, object]:
    names = {name: label for label, name in NAMES[fmt].items()}
    return {names[f.name_en]: f for f in result.factors}


# -- each format ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_each_format_gives_the_hand_calculated_factors(imported, fmt):
    result = imported[fmt]
    assert result.activities == 4 and result.skipped == []
    factors = by_activity(result, fmt)
    assert sorted(factors) == sorted(EXPECTED)
    for activity, expected in EXPECTED.items():
        factor = factors[activity]
        assert sorted(factor.emissions) == sorted(expected), activity
        for flow, kg in expected.items():
            assert factor.emissions[flow] == pytest.approx(kg, rel=1e-12), (activity, flow)
        assert factor.unit == UNITS[activity]
        assert factor.geography == GEOGRAPHY[activity]


@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_factors_are_licensed_material_factors_of_the_owner(imported, fmt):
    result = imported[fmt]
    assert result.bw2io_version == "0.9.17" and result.format == fmt and result.gwp_set == "AR6"
    for factor in result.factors:
        assert factor.id.startswith(f"lci/{slug(result.database)}/")
        assert (
            factor.kind == "material" and factor.category == "lci-import" and factor.scope == "cradle-to-gate"
        )
        assert (
            factor.source_id == "licensed-lci" and factor.redistributable is False and factor.owner == OWNER
        )
        assert factor.source == f"{result.database} (imported with bw2io 0.9.17, {fmt})"
    assert {f.id for f in result.factors} == set(result.gwp100)


def test_database_names_and_codes(imported):
    excel = imported["brightway-excel"]
    assert excel.database == "aluminium fixture"  # the workbook's Database cell
    assert {f.id for f in excel.factors} == {
        "lci/aluminium-fixture/electricity-mv",
        "lci/aluminium-fixture/alumina",
        "lci/aluminium-fixture/wood-pallet",
        "lci/aluminium-fixture/aluminium-ingot",
    }
    assert imported["simapro-csv"].database == "aluminium fixture"  # the SimaPro project
    assert imported["ecospold2"].database == "ecospold2"  # the directory
    assert {f.year for f in imported["ecospold2"].factors} == {2024}  # the datasets' time period


@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_gwp100_score_per_activity(imported, fmt):
    result = imported[fmt]
    ingot = by_activity(result, fmt)["ingot"]
    assert result.gwp100[ingot.id] == pytest.approx(INGOT_AR6, rel=1e-12)
    assert INGOT_AR6 == pytest.approx(16.286174, rel=1e-6)


@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_unmatched_greenhouse_gases_are_listed_and_other_flows_ignored(imported, fmt):
    # HCFC-22 has an IPCC 2021 GWP100 but no key in the engine; SO2 is no greenhouse gas
    assert imported[fmt].unmatched_flows == ["Methane, chlorodifluoro-, HCFC-22 (air)"]


def test_the_greenhouse_gas_list_is_bw2ios_ipcc_2021_gwp100():
    import json

    import bw2io

    archive = Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(archive) as z, z.open("data.json") as f:
        methods = json.load(f)
    gwp100 = [
        m
        for m in methods
        if m["name"][0] == "IPCC 2021"
        and m["name"][2] == "global warming potential (GWP100)"
        and "SLCF" not in m["name"][1]
    ]
    assert len(gwp100) == 4  # climate change (the total), and its fossil, biogenic and land-use parts
    flows = {(e["name"], e["categories"][0]) for m in gwp100 for e in m["exchanges"] if e["amount"]}
    assert flows == lci.IPCC_2021_GWP100_FLOWS
    mapped = {pair for pair in lci.GHG_FLOWS if pair in flows}
    # every gas the engine knows is mapped; CO2 non-fossil and CO2 in air are not characterised by the method
    assert {lci.GHG_FLOWS[p] for p in mapped} >= {
        "CO2/fossil",
        "CH4/fossil",
        "N2O/fossil",
        "SF6/fossil",
        "CF4/fossil",
    }


def test_flow_mapping():
    assert flow_key_of("Carbon dioxide, fossil", "air", "urban air close to ground") == "CO2/fossil"
    assert (
        flow_key_of("Carbon dioxide, fossil", "air", "lower stratosphere + upper troposphere")
        == "CO2/aircraft"
    )
    assert flow_key_of("Carbon dioxide, in air", "natural resource", "in air") == "CO2/biogenic-removal"
    assert flow_key_of("Methane, non-fossil", "air") == "CH4/biogenic"
    assert flow_key_of("Methane, from soil or biomass stock", "air") == "CH4/dluc"
    assert flow_key_of("Carbon dioxide, fossil", "water") is None
    assert flow_key_of("Sulfur dioxide", "air") is None


# -- a footprint that uses an imported factor ----------------------------------------------------------------


def wheel_activity(factor_id: str) -> dict:
    return {
        "schemaVersion": "1.0",
        "type": "ActivityData",
        "productIdentifier": "88.118.8/WHEEL-17",
        "productName": "cast aluminium wheel blank",
        "organisation": {"id": OWNER, "name": "wheel maker (test)"},
        "reportingPeriod": {"start": "2024-01-01", "end": "2024-12-31"},
        "site": {"name": "casting shop", "gridRegion": "CN-YN", "country": "CN"},
        "declaredUnit": "t",
        "producedQuantity": {"amount": 1, "unit": "t"},
        "inputs": {
            "materials": [
                {
                    "id": "ingot",
                    "name": "primary aluminium ingot",
                    "identifier": "88.118.8/AL-INGOT-A00",
                    "amount": 1.05,
                    "unit": "t",
                    "factorId": factor_id,
                    "dataSource": "secondary",
                }
            ]
        },
    }


@pytest.mark.parametrize("fmt", ["brightway-excel", "ecospold2"])
def test_footprint_with_an_imported_factor(imported, fmt):
    result = imported[fmt]
    ingot = by_activity(result, fmt)["ingot"]
    library = FactorLibrary.builtin().extended(result.factors)
    footprint = calculate(parse_activity(wheel_activity(ingot.id)), library=library)
    # 1.05 t = 1050 kg of ingot per t of wheel blanks
    assert footprint.emissions.total == pytest.approx(1050 * INGOT_AR6, rel=1e-9)
    assert footprint.emissions.biogenic_removals == pytest.approx(1050 * 0.2 * -1, rel=1e-9)
    fossil = (
        15.112
        + 0.03137 * 29.8
        + INGOT["N2O/fossil"] * 273
        + INGOT["SF6/fossil"] * 25200
        + 4e-5 * 7380
        + 4e-6 * 12400
    )
    assert footprint.emissions.fossil == pytest.approx(1050 * fossil, rel=1e-9)
    used = [f for f in footprint.factors if f.id == ingot.id]
    assert used and used[0].redistributable is False


# -- Brightway state ----------------------------------------------------------------------------------------


def brightway_state() -> tuple:
    import bw2data

    return (
        bw2data.projects.current,
        str(bw2data.projects.dir),
        sorted(p.name for p in bw2data.projects),
        sorted(bw2data.databases),
    )


def test_the_engines_brightway_project_is_unchanged(imported, tmp_path):
    calculate(parse_activity(wheel_activity(by_activity(imported["ecospold2"], "ecospold2")["ingot"].id)),
              library=FactorLibrary.builtin().extended(imported["ecospold2"].factors))  # fmt: skip
    before = brightway_state()
    import_lci(SOURCES["simapro-csv"], "simapro-csv")
    assert brightway_state() == before
    broken = tmp_path / "broken.csv"
    broken.write_text("not a SimaPro file\n")
    with pytest.raises(FactorLibraryError):
        import_lci(broken, "simapro-csv")
    assert brightway_state() == before


# -- other inputs -------------------------------------------------------------------------------------------


def test_zipped_ecospold2_with_a_name(imported, tmp_path):
    archive = tmp_path / "ei.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in SOURCES["ecospold2"].iterdir():
            z.write(f, f"datasets/{f.name}")
    result = import_lci(archive, "ecospold2", name="My licensed DB 3.9", id_prefix="acme-lci")
    assert result.database == "My licensed DB 3.9"
    assert all(f.id.startswith("acme-lci/my-licensed-db-3.9/") for f in result.factors)
    assert sorted(f.emissions["CO2/fossil"] for f in result.factors) == sorted(
        f.emissions["CO2/fossil"] for f in imported["ecospold2"].factors
    )


def write_workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def extra_activity(name: str, unit: str, co2: float) -> list[list[object]]:
    return [
        ["Activity", name],
        ["code", name.replace(" ", "-")],
        ["location", "CN"],
        ["unit", unit],
        ["reference product", name],
        ["production amount", 1],
        ["type", "process"],
        ["Exchanges"],
        ["name", "amount", "unit", "database", "categories", "location", "type", "reference product"],
        [name, 1, unit, build.DATABASE, "", "CN", "production", name],
        ["Carbon dioxide, fossil", co2, "kilogram", "biosphere3", "air", "", "biosphere", ""],
        [],
    ]


def test_activities_the_engine_cannot_take_are_skipped_with_the_reason(tmp_path):
    rows = build.excel_rows() + extra_activity("scrap credit", "kilogram", -2.5)
    rows += extra_activity("bus ride", "person kilometer", 0.05)
    result = import_lci(write_workbook(tmp_path / "more.xlsx", rows), "brightway-excel")
    assert result.activities == 6 and len(result.factors) == 4
    assert result.skipped == [
        "'scrap credit' (scrap-credit): net CO2/fossil is -2.5 kg per kilogram; factors take emissions >= 0",
        f"'bus ride' (bus-ride): unit 'person kilometer' has no engine unit (known: {', '.join(lci.UNITS)})",
    ]


# -- errors ------------------------------------------------------------------------------------------------


def test_unknown_format():
    with pytest.raises(FactorLibraryError) as info:
        import_lci(SOURCES["simapro-csv"], "ilcd")
    assert info.value.field == "format" and "ecospold2, simapro-csv, brightway-excel" in info.value.fix


def test_bad_arguments():
    with pytest.raises(FactorLibraryError, match="unknown data source"):
        import_lci(SOURCES["simapro-csv"], "simapro-csv", source_id="nobody")
    with pytest.raises(FactorLibraryError, match="bad factor id prefix"):
        import_lci(SOURCES["simapro-csv"], "simapro-csv", id_prefix="a/b")
    with pytest.raises(FactorLibraryError, match="unknown GWP set"):
        import_lci(SOURCES["simapro-csv"], "simapro-csv", gwp_set="AR4")  # type: ignore[arg-type]
    with pytest.raises(FactorLibraryError, match="bad database name"):
        import_lci(SOURCES["ecospold2"], "ecospold2", name="biosphere3")


@pytest.mark.parametrize(
    ("fmt", "filename", "content"),
    [
        ("simapro-csv", "x.csv", b"Process;\r\nnot an export\r\n"),
        ("brightway-excel", "x.xlsx", b"PK\x03\x04 not really a workbook"),
        ("ecospold2", "x.spold", b"<ecoSpold><unclosed>"),
        ("ecospold2", "x.zip", b"not a zip"),
    ],
)
def test_unreadable_file(tmp_path, fmt, filename, content):
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(FactorLibraryError) as info:
        import_lci(path, fmt)
    assert info.value.what == "unreadable LCI file" and info.value.field == "file"


def test_missing_file(tmp_path):
    with pytest.raises(FactorLibraryError, match="LCI file not found"):
        import_lci(tmp_path / "nothing.xlsx", "brightway-excel")


def test_file_too_large(monkeypatch):
    monkeypatch.setattr(lci_source, "MAX_LCI_BYTES", 1000)
    for fmt, path in SOURCES.items():
        with pytest.raises(FactorLibraryError) as info:
            import_lci(path, fmt)
        assert info.value.what == "LCI file too large" and "more than 1000" in info.value.detail


def test_unlinked_exchanges_are_named(tmp_path):
    rows = build.excel_rows()
    rows = [
        ["Carbon dioxide, fossill", *r[1:]] if r[:1] == ["Carbon dioxide, fossil"] else r for r in rows
    ]  # a typo in every CO2 row
    rows = [["alumina production (missing)", *r[1:]] if r[:1] == ["alumina production"] and r[6:7] == ["technosphere"] else r for r in rows]  # fmt: skip
    with pytest.raises(FactorLibraryError) as info:
        import_lci(write_workbook(tmp_path / "typo.xlsx", rows), "brightway-excel")
    assert info.value.what == "unlinked exchanges"
    assert "'Carbon dioxide, fossill' (biosphere, air, kilogram)" in info.value.detail
    assert "'alumina production (missing)'" in info.value.detail


def test_ecospold2_with_an_upstream_dataset_missing(tmp_path):
    target = tmp_path / "partial"
    target.mkdir()
    for filename, text in build.spold_files().items():
        if '<activityName xml:lang="en">electricity, medium voltage<' not in text:
            (target / filename).write_text(text, encoding="utf-8")
    with pytest.raises(FactorLibraryError) as info:
        import_lci(target, "ecospold2")
    assert info.value.what == "unlinked exchanges"
    assert "'electricity, medium voltage' (technosphere, kilowatt hour" in info.value.detail


def test_ecospold2_input_without_activity_link(tmp_path):
    target = tmp_path / "unlinked"
    target.mkdir()
    for filename, text in build.spold_files().items():
        (target / filename).write_text(text.replace(" activityLinkId=", " unusedLinkId="), encoding="utf-8")
    with pytest.raises(FactorLibraryError) as info:
        import_lci(target, "ecospold2")
    assert info.value.what == "unlinked exchanges"
    # the ingot's 3 inputs, the alumina's and the pallet's 1 each
    assert "5 exchanges link to no activity" in info.value.detail
    assert "'electricity, medium voltage' (technosphere, kilowatt hour" in info.value.detail


def test_duplicate_codes_and_singular_systems(tmp_path):
    rows = build.excel_rows() + extra_activity("scrap credit", "kilogram", 1.0)
    twice = rows + [
        ["location", "CN-YN"] if r == ["location", "CN"] else r
        for r in extra_activity("scrap credit", "kilogram", 1.0)
    ]
    with pytest.raises(FactorLibraryError, match="duplicate activity codes") as info:
        import_lci(write_workbook(tmp_path / "twice.xlsx", twice), "brightway-excel")
    assert "scrap-credit" in info.value.detail
    nothing_made = [
        [r[0], 0, *r[2:]] if r[6:7] == ["production"] and r[0] == "scrap credit" else r for r in rows
    ]
    with pytest.raises(FactorLibraryError, match="LCI database cannot be solved"):
        import_lci(write_workbook(tmp_path / "zero.xlsx", nothing_made), "brightway-excel")


def test_zero_activities(tmp_path):
    with pytest.raises(FactorLibraryError, match="no activities"):
        import_lci(write_workbook(tmp_path / "empty.xlsx", [["Database", "empty"]]), "brightway-excel")
    empty = tmp_path / "spold"
    empty.mkdir()
    with pytest.raises(FactorLibraryError, match="no activities"):
        import_lci(empty, "ecospold2")
    header = build.simapro_text().split("Process\r\n")[0]
    (tmp_path / "none.csv").write_text(header, encoding="cp1252")
    with pytest.raises(FactorLibraryError, match="no activities"):
        import_lci(tmp_path / "none.csv", "simapro-csv")


# -- the fixture files are what the script writes --------------------------------------------------------


def test_fixture_files_are_up_to_date():
    spold = build.spold_files()
    assert sorted(p.name for p in SOURCES["ecospold2"].iterdir()) == sorted(spold)
    for filename, text in spold.items():
        assert (SOURCES["ecospold2"] / filename).read_text(encoding="utf-8") == text
    assert SOURCES["simapro-csv"].read_bytes() == build.simapro_text().encode("cp1252")
    sheet = openpyxl.load_workbook(SOURCES["brightway-excel"]).active

    def cells(rows):
        return [kept for row in rows if (kept := [c for c in row if c not in (None, "")])]

    assert cells(sheet.iter_rows(values_only=True)) == cells(build.excel_rows())
