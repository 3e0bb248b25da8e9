"""The built-in factor data of library release 2026.12, against the published figures and its own tables."""

import csv
import re
from importlib import resources

import pytest

from footprint_engine.errors import FactorLibraryError
from footprint_engine.factors import FactorLibrary
from footprint_engine.factors.builtin_cn import electricity_factors, material_factors
from footprint_engine.factors.sources import data_source
from footprint_engine.units import check_unit

NATIONAL_BASES = {
    "全国": "co2",
    "全国（不包括市场化交易的非化石能源电量）": "co2-excl-market-non-fossil",
    "全国化石能源电力": "co2-fossil-only",
}
REGIONS = {"CN-North", "CN-Northeast", "CN-East", "CN-Central", "CN-Northwest", "CN-South", "CN-Southwest"}


def table(name: str) -> list[dict[str, str]]:
    text = resources.files("footprint_engine.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module")
def lib() -> FactorLibrary:
    return FactorLibrary.builtin()


# -- grid CO2 factors (organisation accounting) ----------------------------------------------------------


def test_all_90_province_year_co2_factors_resolve_to_the_table_without_fallback(lib):
    rows = [r for r in table("electricity_cn_provincial.csv") if r["kind"] == "co2-emission"]
    provinces = [r for r in rows if r["region_code"] != "CN" and r["region_code"] not in REGIONS]
    assert len(provinces) == 90
    for year in (2021, 2022, 2023):
        codes = {r["region_code"] for r in provinces if int(r["year"]) == year}
        assert len(codes) == 30 and "CN-XZ" not in codes, year
    for row in rows:
        key = NATIONAL_BASES[row["region_name_zh"]] if row["region_code"] == "CN" else "co2"
        geo, year = row["region_code"], int(row["year"])
        match = lib.find("electricity-grid", key, geo, year)
        assert match.fallbacks == (), (geo, year)
        assert match.factor.id == f"electricity-grid/{key}/{geo}/{year}"
        assert match.factor.emissions == {"CO2/fossil": float(row["value"])}
        assert match.factor.unit == "kWh" and row["unit"] == "kgCO2/kWh"
    assert len(rows) == 3 * (3 + 7 + 30)


@pytest.mark.parametrize(
    ("geo", "year", "key", "value"),
    [
        ("CN-YN", 2021, "co2", 0.1235),
        ("CN-YN", 2022, "co2", 0.1073),
        ("CN-YN", 2023, "co2", 0.1333),
        ("CN-HE", 2023, "co2", 0.6516),
        ("CN", 2021, "co2", 0.5568),
        ("CN", 2022, "co2", 0.5366),
        ("CN", 2023, "co2", 0.5306),
        ("CN", 2021, "co2-excl-market-non-fossil", 0.5942),
        ("CN", 2021, "co2-fossil-only", 0.8426),
        ("CN-North", 2021, "co2", 0.7120),
        ("CN-Southwest", 2021, "co2", 0.2113),
    ],
)
def test_published_co2_values(lib, geo, year, key, value):
    """Figures as MEE/NBS published them (announcements 2024 No. 12, 2024 No. 33 and the 2023 table)."""
    match = lib.find("electricity-grid", key, geo, year)
    assert match.fallbacks == ()
    assert match.factor.emissions == {"CO2/fossil": value}
    assert match.factor.source_id == "mee-nbs-grid-co2"


def test_co2_factors_name_the_announcement_and_its_date(lib):
    f = lib.get("electricity-grid/co2/CN-YN/2021")
    assert (
        f.name_zh == "电力平均二氧化碳排放因子（云南）"
        and f.name_en == "Grid electricity CO2 emission factor, Yunnan"
    )
    assert "公告2024年第12号" in f.source and str(f.valid_from) == "2024-04-12"
    assert f.source_url.startswith("https://www.mee.gov.cn/") and f.category == "grid-co2"
    assert str(lib.get("electricity-grid/co2/CN-HE/2022").valid_from) == "2024-12-20"
    assert str(lib.get("electricity-grid/co2/CN-HE/2023").valid_from) == "2025-12-31"


def test_ids_of_the_superseded_table_stay_valid_with_the_same_values(lib):
    """electricity_cn.csv (removed) carried these ids; the provincial table has the same figures."""
    old = {
        "electricity-grid/co2/CN/2021": 0.5568, "electricity-grid/co2-excl-market-non-fossil/CN/2022": 0.5856,
        "electricity-grid/co2-fossil-only/CN/2023": 0.8273, "electricity-grid/co2/CN-North/2022": 0.6776,
        "electricity-grid/co2/CN-Southwest/2023": 0.2472, "electricity-grid/co2/CN-HE/2022": 0.7252,
        "electricity-grid/co2/CN-SX/2022": 0.7096, "electricity-grid/co2/CN-YN/2022": 0.1073,
        "electricity-grid/footprint/CN/2023": 0.6205, "electricity-grid/footprint/CN/2024": 0.5777,
        "electricity-generation/wind/CN/2023": 0.0336, "electricity-generation/pv/CN/2023": 0.0545,
        "electricity-generation/biomass/CN/2023": 0.0457,
    }  # fmt: skip
    for fid, value in old.items():
        assert sum(lib.get(fid).emissions.values()) == value, fid


# -- carbon-footprint factors (product accounting) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fid", "value"),
    [
        ("electricity-grid/footprint/CN/2024", 0.5777),
        ("electricity-grid/footprint-td/CN/2023", 0.0036),
        ("electricity-grid/footprint-td/CN/2024", 0.0046),
        ("electricity-grid/footprint-td-with-losses/CN/2024", 0.0327),
        ("electricity-generation/coal/CN/2024", 0.9240),
        ("electricity-generation/gas/CN/2023", 0.4792),
        ("electricity-generation/hydro/CN/2023", 0.0143),
        ("electricity-generation/hydro/CN/2024", 0.0141),
        ("electricity-generation/nuclear/CN/2024", 0.0065),
        ("electricity-generation/wind/CN/2024", 0.0324),
        ("electricity-generation/pv/CN/2024", 0.0520),
        ("electricity-generation/csp/CN/2024", 0.0312),
        ("electricity-generation/biomass/CN/2024", 0.0404),
    ],
)
def test_published_footprint_values(lib, fid, value):
    f = lib.get(fid)
    assert f.emissions == {"CO2e/fossil": value} and f.unit == "kWh"
    assert f.source_id == "mee-electricity-footprint"


def test_every_generation_type_has_2023_and_2024_and_the_ipcc_fallbacks_stay(lib):
    for gen in ("coal", "gas", "hydro", "nuclear", "wind", "pv", "csp", "biomass"):
        for year in (2023, 2024):
            assert f"electricity-generation/{gen}/CN/{year}" in lib
    for gen in ("hydro", "wind", "pv", "nuclear", "biomass", "geothermal", "csp"):
        assert lib.get(f"electricity-generation/{gen}/GLO/2014").source_id == "ipcc-ar5"
    geothermal = lib.find("electricity-generation", "geothermal", "CN-YN", 2024)
    assert geothermal.factor.id == "electricity-generation/geothermal/GLO/2014"


def test_yunnan_footprint_basis_falls_back_to_the_national_factor_and_says_why(lib):
    match = lib.find("electricity-grid", "footprint", "CN-YN", 2024)
    assert match.factor.id == "electricity-grid/footprint/CN/2024"
    [step] = match.fallbacks
    assert step.startswith("geography CN-YN → CN") and "China as a whole only" in step
    hydro = lib.find("electricity-generation", "hydro", "CN-YN", 2024)
    assert (
        hydro.factor.id == "electricity-generation/hydro/CN/2024"
        and "China as a whole only" in hydro.fallbacks[0]
    )


# -- geography: Inner Mongolia and Tibet ------------------------------------------------------------------


def test_inner_mongolia_east_and_west_use_the_provincial_factor_first(lib):
    for geo, part in (("CN-NM-E", "蒙东"), ("CN-NM-W", "蒙西")):
        match = lib.find("electricity-grid", "co2", geo, 2023)
        assert match.factor.id == "electricity-grid/co2/CN-NM/2023"
        [step] = match.fallbacks
        assert (
            step.startswith(f"geography {geo} → CN-NM")
            and part in step
            and "Inner Mongolia as a whole" in step
        )


def regional_only(grid_values: dict[str, float]) -> FactorLibrary:
    """A library whose only grid factors are regional (and national): the province's own factor is absent."""
    factors = [
        f.model_copy(update={"id": f"test/{geo}", "geography": geo, "emissions": {"CO2/fossil": v}})
        for geo, v in grid_values.items()
        for f in [FactorLibrary.builtin().get("electricity-grid/co2/CN/2023")]
    ]
    return FactorLibrary(factors)


def test_inner_mongolia_regional_fallbacks_follow_the_two_grids():
    lib = regional_only({"CN-North": 0.6, "CN-Northeast": 0.5, "CN": 0.53})
    east = lib.find("electricity-grid", "co2", "CN-NM-E", 2023)
    west = lib.find("electricity-grid", "co2", "CN-NM-W", 2023)
    assert (east.factor.geography, west.factor.geography) == ("CN-Northeast", "CN-North")
    whole = lib.find("electricity-grid", "co2", "CN-NM", 2023)
    assert whole.factor.geography == "CN-North"
    [step] = whole.fallbacks
    assert "split" in step and "CN-NM-E" in step and "CN-NM-W" in step and "蒙东" in step


def test_tibet_falls_back_to_the_southwest_grid_and_says_so(lib):
    match = lib.find("electricity-grid", "co2", "CN-XZ", 2023)
    assert match.factor.id == "electricity-grid/co2/CN-Southwest/2023"
    assert "Tibet" in match.fallbacks[0] and "no MEE/NBS table" in match.fallbacks[0]


def test_province_names_agree_with_the_table():
    from footprint_engine.factors.geography import REGION_NAMES

    for row in table("electricity_cn_provincial.csv"):
        if row["region_code"] not in ("CN", *REGIONS):
            assert REGION_NAMES[row["region_code"]][0] == row["region_name_zh"]


# -- materials ------------------------------------------------------------------------------------------


def test_every_material_row_becomes_a_usable_factor(lib):
    rows = table("materials_cn.csv")
    assert len(rows) == 200
    for row in rows:
        f = lib.get(row["id"])
        assert f.key == row["id"].split("/")[1]
        assert sum(f.emissions.values()) == float(row["value"])
        assert check_unit(f.unit, field="unit") == f.unit
        assert f.category and f.name_zh == row["name_zh"] and f.scope == row["scope"]
        assert f.geography == ("GLO" if row["geography"].startswith("GLOBAL") else f.geography)
    assert lib.get("material/alumina/CN/2021").unit == "t"
    assert lib.get("material/primary-aluminium/GLOBAL/2022").unit == "kg"
    assert lib.get("transport/truck-diesel-heavy/CN/2024").unit == "tkm"
    assert lib.get("material/crude-steel/GLOBAL/2022").emissions == {
        "CO2/fossil": 1.91
    }  # CO2 only, as published


def test_cpcd_rows_carry_their_code_and_say_they_are_a_public_transcription(lib):
    cpcd = [f for f in lib.factors() if f.source_id == "cpcd"]
    assert len(cpcd) == 184
    notes = {r["id"]: r["notes"] for r in table("materials_cn.csv")}
    for f in cpcd:
        assert f.cpcd_code and re.fullmatch(r"[0-9]{5}[A-Z][0-9]{7}[A-Z]", f.cpcd_code), f.id
        assert f"entry {f.cpcd_code}" in notes[f.id]
        assert "public transcription" in f.source and "login-only" in f.source
        assert "https://lca.cityghg.com/" in f.source
    assert lib.get("material/primary-aluminium-electrolytic/CN/2018").cpcd_code == "41431X0102018C"
    assert all(f.cpcd_code is None for f in lib.factors() if f.source_id != "cpcd")


def test_conflicting_entries_stay_side_by_side_and_name_each_other(lib):
    primary = lib.get("material/primary-aluminium/CN/2012")
    for other in (
        "material/primary-aluminium-electrolytic/CN/2018",
        "material/primary-aluminium/GLOBAL/2022",
    ):
        assert other in primary.note
    clinker = lib.get("material/clinker-portland/CN/2022")
    assert "material/clinker-portland-gate/CN/2025" in clinker.note and "gate-to-gate" in clinker.note
    assert "material/abs/UNSPECIFIED/na" in lib.get("material/abs/CN/2005").note
    waste = lib.get("waste/incineration-energy-recovery/CN/2011")
    assert "waste/incineration-energy-recovery/GLO/2023" in waste.note and "illustrative" in waste.note


def test_a_row_the_engine_cannot_use_fails_loudly():
    row = dict(table("materials_cn.csv")[0])
    with pytest.raises(FactorLibraryError) as info:
        list(material_factors([{**row, "unit": "kgCO2e/bale"}]))
    assert row["id"] in str(info.value) and "bale" in str(info.value)
    with pytest.raises(FactorLibraryError, match="no category"):
        list(material_factors([{**row, "id": "material/unobtainium/CN/2020"}]))
    grid = dict(table("electricity_cn_provincial.csv")[0])
    with pytest.raises(FactorLibraryError, match="national basis"):
        list(electricity_factors([{**grid, "region_name_zh": "全国（其他口径）"}]))


def test_only_aluminium_fluoride_is_still_an_illustrative_material(lib):
    illustrative = {f.id for f in lib.factors() if f.illustrative}
    assert {i for i in illustrative if i.startswith("material/")} == {"material/aluminium-fluoride/GLO/2022"}
    for fid in illustrative:
        f = lib.get(fid)
        assert f.source_id == "illustrative" and "ILLUSTRATIVE" in f.source


# -- every factor: library metadata ----------------------------------------------------------------------


def test_every_builtin_factor_has_source_category_names_and_version(lib):
    assert len(lib) > 380
    for f in lib.factors():
        assert f.source and f.name_zh and f.name_en and f.category, f.id
        assert f.version == "2026.12", f.id
        source = data_source(f.source_id)
        assert source is not None, f"{f.id}: source id {f.source_id!r} is not registered"
        assert source.redistributable and f.redistributable, f.id


def test_registered_sources_state_their_terms():
    cpcd = data_source("cpcd")
    assert cpcd is not None and "login-only" in cpcd.terms and "transcription" in cpcd.terms
    for sid in ("mee-nbs-grid-co2", "mee-electricity-footprint", "ipcc-2006", "ipcc-ar5", "ipcc-ar6",
                "gbt-2589-2020", "cn-ghg-guides", "international-industry", "illustrative", "private",
                "licensed-lci"):  # fmt: skip
        s = data_source(sid)
        assert s is not None and s.terms, sid
    assert not data_source("private").redistributable and not data_source("licensed-lci").redistributable


def test_ipcc_ncvs_of_crude_oil_and_anthracite(lib):
    """IPCC 2006 Vol. 2 Ch. 1 Table 1.2: crude oil 42.3 TJ/Gg, anthracite 26.7 TJ/Gg."""
    crude, anthracite = lib.get("fuel/ipcc-2006/crude_oil"), lib.get("fuel/ipcc-2006/anthracite")
    assert (crude.unit, crude.ncv_gj_per_unit) == ("t", 42.3)
    assert (anthracite.unit, anthracite.ncv_gj_per_unit) == ("t", 26.7)
    assert anthracite.emissions == {"CO2/fossil": pytest.approx(98_300 * 26.7 / 1000, rel=1e-12)}
